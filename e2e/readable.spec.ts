import { expect, test } from './support/fixtures';
import { api, createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { fillNewSubscription, signIn } from './support/auth';

/** An ISO 8601 UTC timestamp as the API stores it: never what a person should have to read. */
const rawUtc = /\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z/;

// A zone far from UTC, so that a time shown in UTC cannot pass for the viewer's.
test.use({ timezoneId: 'Pacific/Auckland' });

test("times in the 410 banner and the audit log are in the viewer's zone; one day of usage is a readable chart", async ({
  page,
}) => {
  const gone = await receiver(() => 410);
  const { customerId, email, password } = await seedCustomer('Readable');
  const sub = await createSubscription(customerId, { url: gone.url, eventTypes: ['order.*'] });
  const event = await publish(customerId, 'order.created', { orderId: 'ord_gone' });
  await expect
    .poll(async () => (await api<{ active: boolean }>('GET', `/subscriptions/${sub.id}`)).active, { timeout: 20_000 })
    .toBe(false);
  await expect.poll(async () => (await deliveriesOf(event.id))[0]?.status, { timeout: 20_000 }).toBeTruthy();
  await api('PATCH', `/subscriptions/${sub.id}`, { description: 'Orders' });

  await signIn(page, email, password);
  await page.goto(`/dashboard/subscriptions/${sub.id}`);
  const banner = page.getByTestId('held-banner');
  await expect(banner).toContainText('410 Gone');
  await expect(banner).not.toContainText(rawUtc);
  await expect(banner.locator('time')).toHaveCount(1);

  await page.goto('/dashboard/audit-log');
  const updated = page.getByTestId('audit-row').filter({ hasText: 'subscription.updated' }).first();
  await expect(updated).toContainText('description');
  await expect(updated).not.toContainText(rawUtc);
  await expect(updated.locator('time').first()).toBeVisible();

  // One day of data: a bar of a readable width over a day axis, and a count axis.
  await page.goto('/dashboard/usage');
  const chart = page.getByTestId('usage-chart');
  await expect(chart.getByRole('group', { name: /Delivery attempts per day/ })).toBeVisible();
  const bars = chart.getByTestId('chart-bar');
  await expect(bars).toHaveCount(1);
  const bar = await bars.first().boundingBox();
  expect(bar!.width).toBeLessThanOrEqual(48);
  const today = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(),
  );
  await expect(chart.locator('svg text').filter({ hasText: today })).toHaveCount(1);
  await expect(chart.locator('svg text').filter({ hasText: /^1$/ })).toHaveCount(1);
  await gone.close();
});

test('the subscription form clears a pattern error once fixed, and previews matching events first', async ({
  page,
}) => {
  const { customerId, email, password } = await seedCustomer('Preview');
  // The only order is the oldest of 25 events: newest first alone, it would not be among the 20 shown.
  await publish(customerId, 'order.created', { orderId: 'ord_old' });
  for (let i = 0; i < 24; i++) await publish(customerId, 'noise.tick', { i });

  await signIn(page, email, password);
  await page.goto('/dashboard/subscriptions');
  const dialog = await fillNewSubscription(page, 'https://example.com/hook', 'order.**.refund');
  await dialog.getByRole('button', { name: 'Create subscription' }).click();
  await expect(dialog.getByTestId('sub-eventTypes-error')).toContainText('"**" is only allowed as the last segment');
  await dialog.getByLabel('Event types').fill('order.*');
  await expect(dialog.getByTestId('sub-eventTypes-error')).toHaveCount(0);
  await expect(dialog.getByLabel('Event types')).not.toHaveAttribute('aria-invalid', 'true');

  await expect(dialog.getByTestId('dry-run-summary')).toHaveText('1 of your last 25 events would be delivered');
  const first = dialog.getByTestId('dry-run-event').first();
  await expect(first).toHaveAttribute('data-matches', 'true');
  await expect(first).toContainText('order.created');
});
