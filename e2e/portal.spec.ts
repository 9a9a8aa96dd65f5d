import { expect, test } from './support/fixtures';
import { api, createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';

test('a portal link signs in once, by the button, and lands on the dashboard', async ({ page, browser }) => {
  const { customerId } = await seedCustomer('Portal');
  const link = await api<{ url: string; readOnly: boolean }>('POST', `/customers/${customerId}/portal-link`, {});
  expect(link.readOnly).toBe(false);
  await page.goto(link.url);
  await expect(page).toHaveURL(/\/portal\?token=/);
  await page.getByRole('button', { name: 'Continue to dashboard' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('read-only-badge')).toHaveCount(0);
  await page.goto('/dashboard/subscriptions');
  await expect(page.getByRole('button', { name: 'New subscription' }).first()).toBeVisible();

  // The same link a second time, from another browser, is refused.
  const other = await browser.newContext();
  const again = await other.newPage();
  await again.goto(link.url);
  await again.getByRole('button', { name: 'Continue to dashboard' }).click();
  await expect(again).toHaveURL(/\/portal\?error=/);
  await expect(again.getByRole('alert').filter({ hasText: 'invalid, expired or already used' })).toBeVisible();
  await again.goto('/dashboard');
  await expect(again).toHaveURL(/\/login/);
  await other.close();
});

test('opening a portal link spends nothing: a link scanner does not burn it', async ({ page, request }) => {
  const { customerId } = await seedCustomer('Scanned');
  const link = await api<{ url: string }>('POST', `/customers/${customerId}/portal-link`, {});
  // What a mail scanner or a chat preview does: fetch the link (GET and HEAD), follow nothing else.
  for (let i = 0; i < 2; i++) {
    const res = await request.get(link.url);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain('Continue to dashboard');
  }
  expect((await request.head(link.url)).status()).toBe(200);
  // A session cookie was not handed out either.
  expect((await request.storageState()).cookies.map((c) => c.name).filter((n) => n.includes('session-token'))).toEqual(
    [],
  );

  await page.goto(link.url);
  await page.getByRole('button', { name: 'Continue to dashboard' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
});

test('the portal page without a usable token says so and offers no button', async ({ page }) => {
  const res = await page.goto('/portal');
  expect(res?.status()).toBe(200);
  await expect(page.getByRole('alert').filter({ hasText: 'invalid, expired or already used' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Continue to dashboard' })).toHaveCount(0);
  // A forged POST with a made-up token is refused the same way.
  const forged = await page.request.post('/portal/continue', { form: { token: 'not-a-real-token' }, maxRedirects: 0 });
  expect(forged.status()).toBe(303);
  expect(forged.headers().location).toBe('/portal?error=invalid');
});

test('another site cannot post a portal token for the visitor', async ({ request }) => {
  const { customerId } = await seedCustomer('CrossSite');
  const link = await api<{ url: string }>('POST', `/customers/${customerId}/portal-link`, {});
  const token = new URL(link.url).searchParams.get('token')!;
  const res = await request.post('/portal/continue', {
    form: { token },
    headers: { origin: 'https://attacker.example' },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(403);
  // The token was not spent: its customer still gets in with it.
  const own = await request.post('/portal/continue', { form: { token }, maxRedirects: 0 });
  expect(own.status()).toBe(303);
  expect(own.headers().location).toBe('/dashboard');
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
  await page.getByRole('button', { name: 'Continue to dashboard' }).click();
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
