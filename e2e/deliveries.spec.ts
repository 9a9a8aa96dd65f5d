import { expect, test } from './support/fixtures';
import { api, createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { signIn, submitSignIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('a signed-in customer sees a delivered event', async ({ page }) => {
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Acme');
  await api('POST', '/subscriptions', { customerId, url: rx.url, eventTypes: ['order.*'] });
  const event = await api<{ id: string }>('POST', '/events', {
    customerId,
    type: 'order.created',
    data: { orderId: 7 },
  });

  await signIn(page, email, password);
  const row = page.getByTestId('delivery-row').filter({ hasText: event.id });
  await expect(row).toContainText('Succeeded');
  await expect(row).toContainText('order.created');
  expect(rx.bodies.some((b) => b.includes(event.id))).toBe(true);
  await rx.close();
});

test('the overview charts the last hour: attempts, success rate, latency, dead letters', async ({ page }) => {
  const ok = await receiver();
  const failing = await receiver(() => 503);
  const { customerId, email, password } = await seedCustomer('Overview');
  await createSubscription(customerId, { url: ok.url, eventTypes: ['order.**'] });
  await createSubscription(customerId, {
    url: failing.url,
    eventTypes: ['order.refunded'],
    retryPolicy: { maxAttempts: 2, scheduleSeconds: [5000] },
  });
  const events = [];
  for (const type of ['order.created', 'order.paid', 'order.shipped', 'order.refunded'])
    events.push(await publish(customerId, type, { n: 1 }));
  const refund = events.at(-1)!;
  await expect
    .poll(async () => (await deliveriesOf(refund.id)).map((d) => d.status).sort(), { timeout: 30_000 })
    .toEqual(['dead', 'succeeded']);

  await signIn(page, email, password);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  // 4 successful attempts + 2 failed ones to the 503 endpoint.
  await expect(page.getByTestId('stat-attempts')).toHaveText('6');
  await expect(page.getByTestId('stat-success-rate')).toHaveText('66.7%');
  await expect(page.getByTestId('stat-dead')).toHaveText('1');
  const throughput = page.getByRole('group', { name: /Delivery attempts per minute/ });
  await expect(throughput.locator('rect.fill-emerald-500').first()).toBeVisible();
  await expect(throughput.locator('rect.fill-red-500').first()).toBeVisible();
  // Reading the chart with the keyboard: focus opens the newest minute, arrows move back in time.
  // (The attempts may straddle a minute boundary, so the figures are read, not asserted.)
  await throughput.focus();
  await expect(throughput).toContainText(/Succeeded\s*\d+\s*Failed\s*\d+/);
  await page.keyboard.press('Home');
  await expect(throughput).toContainText(/Succeeded\s*0\s*Failed\s*0/);
  await expect(page.getByTestId('delivery-row')).toHaveCount(5);
  await page.keyboard.press('Escape');
  await throughput.blur();
  await screenshots(page, 'overview');

  await page.getByRole('button', { name: 'Last 24 hours' }).click();
  await expect(page).toHaveURL(/range=day/);
  await expect(page.getByTestId('stat-attempts')).toHaveText('6');
  await expect(page.getByText('per minute, last 24 h')).toBeVisible();
  await ok.close();
  await failing.close();
});

test('the theme toggle switches to dark and remembers it', async ({ page }) => {
  const { email, password } = await seedCustomer('Theme');
  await signIn(page, email, password);
  const html = page.locator('html');
  const toggle = page.getByTestId('theme-toggle');
  const startDark = ((await html.getAttribute('class')) ?? '').includes('dark');
  await toggle.click();
  await expect(html).toHaveClass(startDark ? /light/ : /dark/);
  await page.reload();
  await expect(html).toHaveClass(startDark ? /light/ : /dark/);
  await expect(toggle).toHaveAccessibleName(startDark ? 'Switch to dark theme' : 'Switch to light theme');
  await toggle.click();
  await expect(html).toHaveClass(startDark ? /dark/ : /light/);
});

test('wrong password is refused with a message', async ({ page }) => {
  const { email } = await seedCustomer('Wrongpw');
  await page.goto('/login');
  await submitSignIn(page, email, 'not-the-password');
  await expect(page.getByRole('alert').filter({ hasText: 'incorrect' })).toBeVisible();
});

test('the dashboard requires sign-in', async ({ page }) => {
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login/);
});
