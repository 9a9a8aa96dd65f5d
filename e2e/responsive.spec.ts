import { expect, test } from './support/fixtures';
import { createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { signIn } from './support/auth';

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test('every page fits a phone screen without sideways scrolling', async ({ page }) => {
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Phone');
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['order.*'] });
  const event = await publish(customerId, 'order.created', { orderId: 'ord_phone' });
  await expect.poll(async () => (await deliveriesOf(event.id))[0]?.status, { timeout: 20_000 }).toBe('succeeded');
  const [delivery] = await deliveriesOf(event.id);

  await signIn(page, email, password);
  const pages: [string, string, RegExp | string][] = [
    ['overview', '/dashboard', 'Overview'],
    ['events', '/dashboard/events', 'Events'],
    ['event-detail', `/dashboard/events/${event.id}`, 'order.created'],
    ['delivery', `/dashboard/deliveries/${delivery!.id}`, 'order.created'],
    ['subscriptions', '/dashboard/subscriptions', 'Subscriptions'],
    ['subscription-detail', `/dashboard/subscriptions/${sub.id}`, rx.url],
    ['dead-letters', '/dashboard/dead-letters', 'Dead letters'],
  ];
  for (const [name, path, heading] of pages) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(heading);
    await expect(page.getByRole('status', { name: /^Loading/ })).toHaveCount(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/screenshots/phone-${name}.png`, fullPage: true, animations: 'disabled' });
  }
  // The main navigation stays reachable.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
  await expect(page).toHaveURL(/dead-letters/);
  await rx.close();
});
