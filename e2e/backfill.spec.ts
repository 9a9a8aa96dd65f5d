import { expect, test } from './support/fixtures';
import { api, deliveriesOf, publish, receiver, seedCustomer, type Subscription } from './support/api';
import { signIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('send past events: the preview counts what a new subscription missed, then its progress runs to done', async ({
  page,
}) => {
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Backfill');
  // Five orders (amounts 0 to 4) and two invoices, published before the subscription existed.
  const orders = [];
  for (let i = 0; i < 5; i++) orders.push(await publish(customerId, 'order.created', { amount: i }));
  for (let i = 0; i < 2; i++) await publish(customerId, 'invoice.paid', { amount: 10 });
  const late = await api<Subscription>('POST', '/subscriptions', {
    customerId,
    url: rx.url,
    eventTypes: ['order.*'],
    filter: { 'data.amount': { $gte: 3 } },
  });
  const expected = orders.slice(3).map((o) => o.id);

  await signIn(page, email, password);
  await page.goto(`/dashboard/subscriptions/${late.id}`);
  await page.getByRole('button', { name: 'Send past events' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send past events' });
  // The last day by default: the two orders of 3 and more, not the invoices nor the smaller orders.
  await expect(dialog.getByTestId('backfill-count')).toHaveText('2');
  await expect(dialog.getByTestId('backfill-preview')).toContainText('2 events would be sent');
  await screenshots(page, 'backfill-form');
  await dialog.getByRole('button', { name: 'Send 2 events' }).click();
  await expect(dialog).toBeHidden();

  const progress = page.getByTestId('backfill');
  await expect(progress.getByTestId('backfill-total')).toHaveText('5');
  await expect(progress.getByTestId('backfill-sent')).toHaveText('2');
  await expect(progress.getByTestId('backfill-filtered')).toHaveText('3');
  await expect(progress.getByTestId('backfill-delivered')).toHaveText('2');
  await expect(progress.getByText('Done')).toBeVisible();
  await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '5');
  await screenshots(page, 'backfill-done');

  // Exactly the two, once each, to this subscription; a second look finds nothing left to send.
  expect(rx.bodies.map((b) => (JSON.parse(b) as { id: string }).id).sort()).toEqual([...expected].sort());
  for (const id of expected)
    expect((await deliveriesOf(id)).filter((d) => d.subscriptionId === late.id)).toHaveLength(1);
  await page.getByRole('button', { name: 'Send past events' }).click();
  await expect(dialog.getByTestId('backfill-count')).toHaveText('0');
  await expect(dialog.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
  await rx.close();
});
