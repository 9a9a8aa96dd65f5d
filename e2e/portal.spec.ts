import { expect, test } from './support/fixtures';
import { api, createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';

test('a portal link signs in once and lands on the dashboard', async ({ page, browser }) => {
  const { customerId } = await seedCustomer('Portal');
  const link = await api<{ url: string; readOnly: boolean }>('POST', `/customers/${customerId}/portal-link`, {});
  expect(link.readOnly).toBe(false);
  await page.goto(link.url);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('read-only-badge')).toHaveCount(0);
  await page.goto('/dashboard/subscriptions');
  await expect(page.getByRole('button', { name: 'New subscription' }).first()).toBeVisible();

  // The same link a second time, from another browser, is refused.
  const other = await browser.newContext();
  const again = await other.newPage();
  const res = await again.goto(link.url);
  expect(res?.status()).toBe(401);
  await expect(again.getByText('invalid, expired or already used')).toBeVisible();
  await again.goto('/dashboard');
  await expect(again).toHaveURL(/\/login/);
  await other.close();
});

test('a read-only portal session sees everything and can change nothing', async ({ page }) => {
  let answer = 500;
  const rx = await receiver(() => answer);
  const { customerId } = await seedCustomer('Viewer');
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['*'], retryPolicy: { maxAttempts: 1 } });
  const event = await publish(customerId, 'user.created', { userId: 'u_1' });
  await expect.poll(async () => (await deliveriesOf(event.id))[0]?.status, { timeout: 20_000 }).toBe('dead');
  answer = 200;

  const link = await api<{ url: string }>('POST', `/customers/${customerId}/portal-link`, { readOnly: true });
  await page.goto(link.url);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('read-only-badge')).toHaveText('Read-only');

  await page.goto('/dashboard/subscriptions');
  await expect(page.getByTestId('subscription-row')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'New subscription' })).toHaveCount(0);

  await page.goto(`/dashboard/subscriptions/${sub.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(rx.url);
  for (const name of ['Send test event', 'Pause', 'Edit', 'Delete subscription', 'Rotate secret']) {
    await expect(page.getByRole('button', { name })).toHaveCount(0);
  }

  await page.goto(`/dashboard/events/${event.id}`);
  await expect(page.getByTestId('attempt-item')).toHaveCount(1);
  await expect(page.getByTestId('inspector')).toContainText('webhook-signature');
  await expect(page.getByTestId('replay-button')).toHaveCount(0);

  await page.goto('/dashboard/dead-letters');
  await expect(page.getByTestId('delivery-row')).toHaveCount(1);
  await expect(page.getByTestId('replay-button')).toHaveCount(0);

  // The API refuses a mutation from this session too (the UI only hides what would fail).
  const res = await page.request.post('/api/trpc/subscriptions.test', { data: { id: sub.id } });
  expect(res.status()).toBe(403);
  await rx.close();
});
