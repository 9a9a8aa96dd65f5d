import { expect, test } from './support/fixtures';
import { api, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { openNewSubscription } from './support/auth';
import { screenshots } from './support/screenshots';

test('the subscription form previews a transformation on the latest event, saves it, and the inspector shows the body before and after', async ({
  page,
}) => {
  // Two minutes, like the other specs that capture pages: the form, two dry runs and a delivery.
  test.setTimeout(120_000);
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Transforms');
  await publish(customerId, 'order.created', { order: 1042, amount: 4250, currency: 'eur' });

  const dialog = await openNewSubscription(page, { email, password }, rx.url, 'order.*');
  const code = dialog.getByLabel('Transformation');
  const summary = dialog.getByTestId('transform-summary');

  // A mistake shows as the error an attempt would record, without sending anything.
  await code.fill('function transform(webhook) {\n  return { body: webhook.payload.data.customer.name };\n}');
  await dialog.getByRole('button', { name: 'Test transform' }).click();
  await expect(summary).toContainText(
    "It would fail (transform): transform threw TypeError: cannot read property 'name' of undefined (line 2",
  );
  await expect(dialog.getByTestId('transform-after')).toHaveText('Not sent: the attempt would fail.');

  // The fixed code: before is the event as published, after is what the endpoint would get.
  await code.fill(
    "function transform(webhook) {\n  const d = webhook.payload.data;\n  return { body: { text: 'Order ' + d.order + ': ' + (d.amount / 100).toFixed(2) + ' ' + d.currency.toUpperCase() } };\n}",
  );
  await expect(dialog.getByTestId('transform-stale')).toBeVisible();
  await dialog.getByRole('button', { name: 'Test transform' }).click();
  await expect(summary).toContainText('On your latest event, order.created');
  await expect(dialog.getByTestId('transform-before')).toContainText('"amount": 4250');
  await expect(dialog.getByTestId('transform-after')).toHaveText('{\n  "text": "Order 1042: 42.50 EUR"\n}');
  await expect(dialog.getByTestId('transform-stale')).toBeHidden();
  await screenshots(page, 'subscription-form-transform');

  await dialog.getByRole('button', { name: 'Create subscription' }).click();
  await expect(page).toHaveURL(/\/dashboard\/subscriptions\/sub_/);
  await expect(page.getByTestId('subscription-transform')).toContainText("'Order ' + d.order");
  await expect(page.getByText('Version 1')).toBeVisible();

  // A delivery: the endpoint gets the transformed body; the inspector shows it and the event's body before it.
  const ev = await publish(customerId, 'order.created', { order: 7, amount: 999, currency: 'usd' });
  await expect.poll(() => rx.bodies.length).toBe(1);
  expect(rx.bodies[0]).toBe('{"text":"Order 7: 9.99 USD"}');
  const [delivery] = await deliveriesOf(ev.id);
  await page.goto(`/dashboard/deliveries/${delivery!.id}`);
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('request-body')).toHaveText('{\n  "text": "Order 7: 9.99 USD"\n}');
  await expect(inspector.getByTestId('request-body-before')).toContainText('"amount": 999');
  await expect(inspector.getByRole('heading', { name: 'Body, as transformed' })).toBeVisible();
  const stored = await api<{ attempts: { request: { transformedBody: string | null } }[] }>(
    'GET',
    `/deliveries/${delivery!.id}`,
  );
  expect(stored.attempts[0]!.request.transformedBody).toBe('{"text":"Order 7: 9.99 USD"}');
  await rx.close();
});
