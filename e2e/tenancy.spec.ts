import { expect, test } from './support/fixtures';
import { createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { signIn } from './support/auth';

test("a customer cannot open another customer's event, delivery or subscription", async ({ page }) => {
  const rx = await receiver();
  const acme = await seedCustomer('Acme');
  const globex = await seedCustomer('Globex');
  const sub = await createSubscription(acme.customerId, { url: rx.url, eventTypes: ['*'] });
  const event = await publish(acme.customerId, 'secret.plan', { codename: 'falcon' });
  await expect.poll(async () => (await deliveriesOf(event.id)).length, { timeout: 20_000 }).toBe(1);
  const [delivery] = await deliveriesOf(event.id);

  await signIn(page, globex.email, globex.password);
  await page.goto(`/dashboard/events/${event.id}`);
  await expect(page.getByRole('heading', { name: 'Event not found' })).toBeVisible();
  await expect(page.getByText('falcon')).toHaveCount(0);
  await page.goto(`/dashboard/deliveries/${delivery!.id}`);
  await expect(page.getByRole('heading', { name: 'Delivery not found' })).toBeVisible();
  await page.goto(`/dashboard/subscriptions/${sub.id}`);
  await expect(page.getByRole('heading', { name: 'Subscription not found' })).toBeVisible();
  await expect(page.getByText(rx.url)).toHaveCount(0);
  // A made-up id is just as absent.
  await page.goto('/dashboard/events/evt_not-an-id');
  await expect(page.getByRole('heading', { name: 'Event not found' })).toBeVisible();
  // Nor does it show up in their lists.
  await page.goto(`/dashboard/events?q=${event.id}`);
  await expect(page.getByText('No events match these filters')).toBeVisible();
  await page.goto('/dashboard/subscriptions');
  await expect(page.getByText('No subscriptions yet')).toBeVisible();

  // The owner sees all three.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, acme.email, acme.password);
  await page.goto(`/dashboard/events/${event.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('secret.plan');
  await expect(page.getByTestId('event-payload')).toContainText('falcon');
  await rx.close();
});

test('signing out ends the session everywhere: a cookie captured before is refused afterwards', async ({
  page,
  browser,
  baseURL,
}) => {
  const acme = await seedCustomer('Revoked');
  await signIn(page, acme.email, acme.password);
  const captured = await page.context().cookies();
  expect(captured.some((c) => c.name.includes('session-token'))).toBe(true);

  // The same cookie in another browser works while the session lives.
  const elsewhere = await browser.newContext({ baseURL });
  await elsewhere.addCookies(captured);
  const other = await elsewhere.newPage();
  await other.goto('/dashboard/subscriptions');
  await expect(other).toHaveURL(/\/dashboard\/subscriptions/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);

  // Replayed after the sign-out, the captured cookie opens nothing: pages send to sign-in, the API says 401.
  const replay = await browser.newContext({ baseURL });
  await replay.addCookies(captured);
  const again = await replay.newPage();
  await again.goto('/dashboard/subscriptions');
  await expect(again).toHaveURL(/\/login/);
  const api = await replay.request.get('/api/trpc/subscriptions.list?input=%7B%7D');
  expect(api.status()).toBe(401);
  await other.goto('/dashboard/subscriptions');
  await expect(other).toHaveURL(/\/login/);
  await Promise.all([elsewhere.close(), replay.close()]);
});
