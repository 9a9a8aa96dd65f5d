import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './support/fixtures';
import { api, createSubscription, deliveriesOf, e2eEnv, publish, receiver, seedCustomer } from './support/api';
import { fillNewSubscription, signIn, submitSignIn } from './support/auth';

/** What a first-time user tripped over, each checked the way they met it. */

test('a failed sign-in keeps the email and asks only for the password again', async ({ page }) => {
  const { email, password } = await seedCustomer('Typo');
  await page.goto('/login');
  await submitSignIn(page, email, 'not-the-password');
  await expect(page.getByRole('alert').filter({ hasText: 'Email or password is incorrect.' })).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue(email);
  await expect(page.getByLabel('Password')).toHaveValue('');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('every page has a favicon', async ({ page, request }) => {
  await page.goto('/login');
  const href = await page.locator('head link[rel="icon"]').first().getAttribute('href');
  expect(href).toBeTruthy();
  const icon = await request.get(href!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toContain('image/svg+xml');
});

test('the theme follows the system when it changes, unless the user picked one', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/login');
  const html = page.locator('html');
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveClass(/\bdark\b/);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(html).not.toHaveClass(/\bdark\b/);
  // A choice made with the toggle stays, whatever the system does.
  const { email, password } = await seedCustomer('Theme');
  await signIn(page, email, password);
  await page.getByTestId('theme-toggle').click();
  await expect(html).toHaveClass(/\bdark\b/);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(html).toHaveClass(/\bdark\b/);
});

test('the signing secret is shown whole, wrapping, with a labelled Copy button', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.setViewportSize({ width: 390, height: 844 });
  const { customerId, email, password } = await seedCustomer('Secret');
  const sub = await createSubscription(customerId, { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] });
  await signIn(page, email, password);
  await page.goto(`/dashboard/subscriptions/${sub.id}`);
  await page.getByRole('button', { name: 'Reveal' }).click();
  const value = page.getByTestId('secret-value');
  await expect(value).toHaveText(sub.secret);
  const box = await value.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  // Nothing of it is cut off: the element is as wide as its text needs.
  expect(await value.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  await page.getByRole('button', { name: 'Copy secret' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(sub.secret);
});

test('filters line up: selects are as tall as the search box', async ({ page }) => {
  const { email, password } = await seedCustomer('Align');
  await signIn(page, email, password);
  await page.goto('/dashboard/events');
  const search = await page.getByRole('searchbox').boundingBox();
  for (const name of ['Delivery status', 'Subscription', 'Time range']) {
    const box = await page.getByLabel(name).boundingBox();
    expect(Math.round(box!.height), name).toBe(Math.round(search!.height));
    expect(Math.round(box!.y), name).toBe(Math.round(search!.y));
  }
});

test('an invalid search says why once, inside the filter bar, and runs no search', async ({ page }) => {
  const { customerId, email, password } = await seedCustomer('Search');
  await publish(customerId, 'order.created', {});
  await signIn(page, email, password);
  await page.goto('/dashboard/events');
  await expect(page.getByTestId('event-row')).toHaveCount(1);
  await page.getByRole('searchbox').fill('order.');
  const problem = page.getByText('"order." is not an event type or pattern');
  await expect(problem).toHaveCount(1);
  await expect(page.getByText('Nothing to search for yet')).toHaveCount(0);
  await expect(page.getByTestId('event-row')).toHaveCount(0);
  // The message sits in the page's flow, above the results card, not over its border.
  const message = await problem.boundingBox();
  const card = await page.locator('section').filter({ hasText: 'Search not run' }).boundingBox();
  expect(message!.y + message!.height).toBeLessThanOrEqual(card!.y);
});

test('the event log keeps its page and filters through a refresh and the back button', async ({ page }) => {
  const { customerId, email, password } = await seedCustomer('Paging');
  for (let i = 0; i < 27; i++) await publish(customerId, `page.item${i % 3}`, { i });
  await signIn(page, email, password);
  await page.goto('/dashboard/events');
  const rows = page.getByTestId('event-row');
  await expect(rows).toHaveCount(25);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(rows).toHaveCount(2);
  await expect(page).toHaveURL(/pages=/);
  await page.reload();
  await expect(rows).toHaveCount(2);
  await expect(page.getByText('Page 2')).toBeVisible();
  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(/\/dashboard\/events\/evt_/);
  await page.goBack();
  await expect(rows).toHaveCount(2);
  // A filter starts again at page 1, and back returns to what was there before.
  await page.getByLabel('Time range').selectOption('1h');
  await expect(rows).toHaveCount(25);
  await expect(page).not.toHaveURL(/pages=/);
  await page.goBack();
  await expect(page).toHaveURL(/pages=/);
  await expect(rows).toHaveCount(2);
});

test('subscription form: a space makes a pattern invalid, each bad pattern has its line, the tester ignores them', async ({
  page,
}) => {
  const { email, password } = await seedCustomer('Patterns');
  await signIn(page, email, password);
  await page.goto('/dashboard/subscriptions');
  const dialog = await fillNewSubscription(page, 'https://example.com/hook', 'bad pattern\n**.x\norder.created');
  // The tester does not pretend an invalid pattern routes anything.
  await dialog.getByTestId('pattern-tester').fill('a.x');
  await expect(dialog.getByTestId('pattern-tester-result')).toContainText(
    'not delivered: no valid pattern matches (2 invalid patterns ignored)',
  );
  await dialog.getByTestId('pattern-tester').fill('order.created');
  await expect(dialog.getByTestId('pattern-tester-result')).toContainText(
    'delivered (matches order.created) (2 invalid patterns ignored)',
  );
  await dialog.getByRole('button', { name: 'Create subscription' }).click();
  const error = dialog.getByTestId('sub-eventTypes-error');
  await expect(error).toContainText('Pattern "bad pattern"');
  await expect(error).toContainText('Pattern "**.x"');
  const lines = (await error.innerText()).split('\n').filter(Boolean);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toContain('bad pattern');
  expect(lines[1]).toContain('**.x');
  expect(await error.evaluate((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().height > 20)).toBe(
    true,
  );
});

test('subscription form: every problem the API finds is shown under its field', async ({ page }) => {
  const { email, password } = await seedCustomer('ApiErrors');
  await signIn(page, email, password);
  await page.goto('/dashboard/subscriptions');
  // A client whose own checks are older than the API's: the request goes out with three problems,
  // and the real API answers with all of them.
  await page.route('**/api/trpc/subscriptions.create**', async (route) => {
    const body = JSON.parse(route.request().postData() ?? '{}') as Record<
      string,
      { eventTypes: string[]; rateLimitPerSecond?: number }
    >;
    const input = body['0']!;
    input.eventTypes = ['bad pattern', 'order.**.x'];
    input.rateLimitPerSecond = -1;
    await route.fulfill({ response: await route.fetch({ postData: JSON.stringify(body) }) });
  });
  const dialog = await fillNewSubscription(page, 'https://example.com/hook', 'order.created');
  await dialog.getByRole('button', { name: 'Create subscription' }).click();
  const types = dialog.getByTestId('sub-eventTypes-error');
  await expect(types).toContainText('bad pattern');
  await expect(types).toContainText('order.**.x');
  expect((await types.innerText()).split('\n').filter(Boolean)).toHaveLength(2);
  await expect(dialog.getByTestId('sub-rateLimitPerSecond-error')).toBeVisible();
  await expect(dialog).toBeVisible();
});

test('the new-dead-letters history survives a replay, and an empty latency chart shows no made-up scale', async ({
  page,
}) => {
  let answer = 500;
  const rx = await receiver(() => answer);
  const { customerId, email, password } = await seedCustomer('History');
  await signIn(page, email, password);
  // Nothing yet: the latency axis says nothing rather than "1 ms / 1 ms / 0 ms".
  const latency = page.getByRole('region', { name: 'Response latency' });
  await expect(latency).toContainText('No attempts in this window');
  await expect(latency.locator('svg text').first()).toBeAttached();
  expect((await latency.locator('svg text').allTextContents()).filter((t) => / m?s$/.test(t))).toEqual([]);

  await createSubscription(customerId, { url: rx.url, eventTypes: ['*'], retryPolicy: { maxAttempts: 1 } });
  const e = await publish(customerId, 'history.made', {});
  await expect.poll(async () => (await deliveriesOf(e.id))[0]?.status, { timeout: 20_000 }).toBe('dead');
  await page.reload();
  await expect(page.getByText(/^1 new, last hour/)).toBeVisible();
  answer = 200;
  const [d] = await deliveriesOf(e.id);
  await api('POST', `/deliveries/${d!.id}/replay`, {});
  await expect.poll(async () => (await deliveriesOf(e.id))[0]?.status, { timeout: 20_000 }).toBe('succeeded');
  await page.reload();
  await expect(page.getByTestId('stat-dead')).toHaveText('0');
  // It died, even if it is fine now: the history does not change.
  await expect(page.getByText(/^1 new, last hour/)).toBeVisible();
  const dead = page.getByRole('region', { name: 'New dead letters' });
  await expect(dead.locator('table caption')).toHaveText(/1 of 60 time buckets with data/);
  await expect(dead.locator('table td')).toHaveText(['1']);
  // The latency axis now has a scale in one unit and precision.
  const ticks = (await latency.locator('svg text').allTextContents()).filter((t) => /(ms|s)$/.test(t));
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  const units = new Set(ticks.map((t) => t.split(' ')[1]));
  expect(units.size).toBe(1);
  expect(new Set(ticks).size).toBe(ticks.length);
  await rx.close();
});

test('deliveries carry a User-Agent naming the product, its version and this deployment', async () => {
  const rx = await receiver();
  const { customerId } = await seedCustomer('Agent');
  await createSubscription(customerId, { url: rx.url, eventTypes: ['*'] });
  const e = await publish(customerId, 'agent.checked', {});
  await expect.poll(async () => (await deliveriesOf(e.id))[0]?.status, { timeout: 20_000 }).toBe('succeeded');
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  const { baseUrl } = JSON.parse(readFileSync('test-results/e2e-env.json', 'utf8')) as { baseUrl: string };
  expect(rx.requests[0]!.headers['user-agent']).toBe(`Hookrelay/${version} (+${baseUrl})`);
  await rx.close();
});

test("the first publish, as pnpm dev's banner curls it, shows up verified in the inbox", async ({ page }) => {
  // What `pnpm dev` seeds: a customer with a login, subscribed to this server's development receiver.
  const { baseUrl, platformKey } = e2eEnv();
  const { customerId, email, password } = await seedCustomer('Inbox');
  const sub = await createSubscription(customerId, { url: `${baseUrl}/api/dev/receiver`, eventTypes: ['*'] });
  await signIn(page, email, password);
  await page.goto('/dashboard/inbox');
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
  await expect(page.getByTestId('inbox-entry')).toHaveCount(0);
  // The banner's "Try" line.
  const res = await fetch(`${baseUrl}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platformKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'charge.succeeded', customerId, data: { amount: 42 } }),
  });
  expect(res.status).toBe(202);
  const published = (await res.json()) as { id: string; deliveries: number };
  expect(published.deliveries).toBe(1);
  // Within seconds, without a reload.
  const entry = page.getByTestId('inbox-entry');
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('Verified');
  await expect(entry).toContainText('charge.succeeded');
  await expect(entry).toContainText(published.id);
  await expect(entry).toContainText(sub.id);
  await expect(entry).not.toContainText('Not verified');
  await expect.poll(async () => (await deliveriesOf(published.id))[0]?.status).toBe('succeeded');
  const audit = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(audit.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});
