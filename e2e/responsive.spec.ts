import { expect, test } from './support/fixtures';
import { createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { signIn } from './support/auth';

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test('every page fits a phone screen without sideways scrolling, and every row action is on screen', async ({
  page,
}) => {
  // Eleven pages, each loaded and measured, after deliveries have settled.
  test.setTimeout(180_000);
  const rx = await receiver();
  const failing = await receiver(() => 500);
  const { customerId, email, password } = await seedCustomer('Phone');
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['order.*'] });
  const dying = await createSubscription(customerId, {
    url: `${failing.url}/with/a/long/path/for/good/measure`,
    eventTypes: ['invoice.*'],
    retryPolicy: { maxAttempts: 1 },
  });
  const event = await publish(customerId, 'order.created', { orderId: 'ord_phone' });
  const dead = await publish(customerId, 'invoice.overdue', { invoiceId: 'inv_phone' });
  await expect.poll(async () => (await deliveriesOf(event.id))[0]?.status, { timeout: 20_000 }).toBe('succeeded');
  await expect.poll(async () => (await deliveriesOf(dead.id))[0]?.status, { timeout: 20_000 }).toBe('dead');
  const [delivery] = await deliveriesOf(event.id);

  await signIn(page, email, password);
  const pages: [string, string, RegExp | string][] = [
    ['overview', '/dashboard', 'Overview'],
    ['events', '/dashboard/events', 'Events'],
    ['event-detail', `/dashboard/events/${event.id}`, 'order.created'],
    ['delivery', `/dashboard/deliveries/${delivery!.id}`, 'order.created'],
    ['subscriptions', '/dashboard/subscriptions', 'Subscriptions'],
    ['subscription-detail', `/dashboard/subscriptions/${sub.id}`, rx.url],
    ['subscription-failing', `/dashboard/subscriptions/${dying.id}`, 'long/path'],
    ['dead-letters', '/dashboard/dead-letters', 'Dead letters'],
    ['event-types', '/dashboard/event-types', 'Event types'],
    ['usage', '/dashboard/usage', 'Usage'],
    ['audit-log', '/dashboard/audit-log', 'Audit log'],
  ];
  for (const [name, path, heading] of pages) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(heading);
    await expect(page.getByRole('status', { name: /^Loading/ })).toHaveCount(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
  }
  // On the dead-letter page each row is a card whose Replay button is on screen and works.
  await page.goto('/dashboard/dead-letters');
  const row = page.getByTestId('delivery-row').filter({ hasText: dead.id });
  const replay = row.getByRole('button', { name: 'Replay' });
  await expect(replay).toBeInViewport();
  const box = await replay.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await expect(row.getByRole('checkbox')).toBeInViewport();
  await replay.click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Replay queued' })).toBeVisible();

  // The subscriptions list shows each endpoint's health as a card, nothing clipped.
  await page.goto('/dashboard/subscriptions');
  const card = page.getByTestId('subscription-row').first();
  await expect(card.getByRole('link').first()).toBeInViewport();
  const cardBox = await card.boundingBox();
  expect(cardBox!.x + cardBox!.width).toBeLessThanOrEqual(390);

  // The main navigation stays reachable, behind its Menu button.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
  await expect(page).toHaveURL(/dead-letters/);
  await rx.close();
  await failing.close();
});

test('on a phone every page of the menu is reachable, stat captions wrap, and delivery rows name their endpoint', async ({
  page,
}) => {
  const failing = await receiver(() => 500);
  const { customerId, email, password } = await seedCustomer('Phone nav');
  const sub = await createSubscription(customerId, {
    url: `${failing.url}/orders`,
    eventTypes: ['order.*'],
    retryPolicy: { maxAttempts: 1 },
  });
  const dead = await publish(customerId, 'order.created', { orderId: 'ord_nav' });
  await expect.poll(async () => (await deliveriesOf(dead.id))[0]?.status, { timeout: 20_000 }).toBe('dead');

  await signIn(page, email, password);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const [label, path] of [
    ['Events', /\/dashboard\/events$/],
    ['Subscriptions', /\/dashboard\/subscriptions$/],
    ['Event types', /\/dashboard\/event-types$/],
    ['Dead letters', /\/dashboard\/dead-letters$/],
    ['Usage', /\/dashboard\/usage$/],
    ['Audit log', /\/dashboard\/audit-log$/],
    ['Overview', /\/dashboard$/],
  ] as const) {
    const menu = nav.getByRole('button', { name: 'Menu' });
    if (await menu.isVisible()) await menu.click();
    const link = nav.getByRole('link', { name: label, exact: true });
    await expect(link, `${label} on screen`).toBeInViewport({ ratio: 1 });
    await link.click();
    await expect(page).toHaveURL(path);
  }

  // Captions under the figures wrap instead of being cut off.
  for (const path of ['/dashboard', `/dashboard/subscriptions/${sub.id}`]) {
    await page.goto(path);
    const hints = page.getByTestId('stat-hint');
    await expect(hints.first()).toBeVisible();
    const clipped = await hints.evaluateAll((els) =>
      els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent),
    );
    expect(clipped, `${path}: captions cut off`).toEqual([]);
  }
  // One attempt is "1 attempt".
  await expect(page.getByText(/^1 attempt$/)).toBeVisible();

  // A dead letter's card says where it was going.
  await page.goto('/dashboard/dead-letters');
  const row = page.getByTestId('delivery-row').filter({ hasText: dead.id });
  await expect(row.getByText(`${failing.url}/orders`)).toBeInViewport();
  await failing.close();
});
