import { expect, test } from './support/fixtures';
import { createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { pauseSubscription, signIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('the audit log shows who changed a subscription; the usage page counts deliveries', async ({ page }) => {
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Audit');
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['order.*'] });
  const events = [];
  for (let i = 0; i < 3; i++) events.push(await publish(customerId, 'order.created', { i }));
  for (const e of events)
    await expect.poll(async () => (await deliveriesOf(e.id))[0]?.status, { timeout: 30_000 }).toBe('succeeded');

  await signIn(page, email, password);
  await pauseSubscription(page, sub.id);

  await page.getByRole('link', { name: 'Audit log' }).click();
  const rows = page.getByTestId('audit-row');
  await expect(rows.first()).toContainText('subscription.paused');
  await expect(rows.first()).toContainText('Dashboard user');
  await expect(rows.first()).toContainText('active');
  await expect(rows.filter({ hasText: 'subscription.created' })).toHaveCount(1);
  await page.getByTestId('audit-action-filter').selectOption('subscription.created');
  await expect(rows).toHaveCount(1);
  // Made with the platform's key: shown as the platform's, without the key's id or its address.
  await expect(rows.first()).toContainText('Platform');
  await expect(rows.first()).not.toContainText('key_');
  await expect(page.getByText('whsec_')).toHaveCount(0);
  await screenshots(page, 'audit-log');

  await page.getByRole('link', { name: 'Usage' }).click();
  await expect(page.getByTestId('usage-events-published')).toHaveText('3');
  await expect(page.getByTestId('usage-delivery-attempts')).toHaveText('3');
  await expect(page.getByTestId('usage-row')).toHaveCount(1);
  await screenshots(page, 'usage');
  await rx.close();
});
