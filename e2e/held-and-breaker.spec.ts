import { expect, test } from './support/fixtures';
import { api, createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { pauseSubscription, signIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('a paused subscription holds what it matches; resume sends it in publish order', async ({ page }) => {
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Held');
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['order.*'] });
  await signIn(page, email, password);
  await pauseSubscription(page, sub.id);

  const events = [];
  for (let i = 0; i < 3; i++) events.push(await publish(customerId, 'order.created', { n: i }));
  for (const e of events) expect(e.deliveries).toBe(1);
  for (const e of events) expect((await deliveriesOf(e.id))[0]?.status).toBe('held');
  await page.reload();
  const banner = page.getByTestId('held-banner');
  await expect(banner).toContainText('paused');
  await expect(banner.getByTestId('held-count')).toHaveText('3');
  expect(rx.bodies).toHaveLength(0);
  await screenshots(page, 'subscription-paused-held');

  await page.getByRole('button', { name: 'Resume' }).click();
  const dialog = page.getByRole('dialog', { name: 'Resume this subscription?' });
  await expect(dialog).toContainText('3 deliveries were held');
  // The safe choice comes first and has the focus; discarding asks again, with the count.
  const send = dialog.getByRole('button', { name: 'Resume and send 3 held' });
  await expect(send).toBeFocused();
  await expect(dialog.getByRole('button').first()).toHaveText('Resume and send 3 held');
  await dialog.getByRole('button', { name: 'Discard held…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Discard 3 held deliveries?' });
  await expect(confirm.getByRole('button', { name: 'Discard 3 held deliveries and resume' })).toBeVisible();
  await confirm.getByRole('button', { name: 'Back' }).click();
  await dialog.getByRole('button', { name: 'Resume and send 3 held' }).click();
  await expect(page.getByText('Held deliveries are being sent now, in publish order.')).toBeVisible();
  await expect(page.getByTestId('held-banner')).toHaveCount(0);
  await expect.poll(() => rx.bodies.length, { timeout: 20_000 }).toBe(3);
  expect(rx.bodies.map((b) => (JSON.parse(b) as { data: { n: number } }).data.n)).toEqual([0, 1, 2]);

  // The event page's routing trace says the delivery was held at publish time.
  await page.goto(`/dashboard/events/${events[0]!.id}`);
  await expect(page.getByTestId('routing-row').first()).toContainText(
    'Held: matched "order.*" while the subscription was paused or disabled',
  );
  await rx.close();
});

test('an open circuit breaker is shown with its next probe, and "Retry now" sends it at once', async ({ page }) => {
  let answer = 503;
  const rx = await receiver(() => answer);
  const { customerId, email, password } = await seedCustomer('Breaker');
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['*'] });
  const events = [];
  for (let i = 0; i < 6; i++) events.push(await publish(customerId, 'sync.requested', { i }));
  await expect
    .poll(async () => (await api<{ breaker: { state: string } }>('GET', `/subscriptions/${sub.id}`)).breaker.state, {
      timeout: 30_000,
    })
    .toBe('open');

  await signIn(page, email, password);
  await page.goto(`/dashboard/subscriptions/${sub.id}`);
  const banner = page.getByTestId('breaker-banner');
  // Open, or probing: the deliveries it owes their schedule go out one at a time as its probes.
  await expect(banner).toContainText(/Circuit breaker (open|probing)/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/Circuit open|Probing/);
  await screenshots(page, 'subscription-breaker-open');
  // What is waiting reads the same as the breaker: not "held", and the delivery page says the breaker holds it.
  await expect(page.getByTestId('queue-held').locator('xpath=..')).toContainText('while paused or disabled');
  await expect(page.getByTestId('queue-waiting').locator('xpath=..')).toContainText('Held back by the circuit breaker');
  const late = await publish(customerId, 'sync.requested', { late: true });
  const lateId = (await deliveriesOf(late.id))[0]!.id;
  await page.goto(`/dashboard/deliveries/${lateId}`);
  await expect(page.getByTestId('timeline-next')).toContainText('Held back by the circuit breaker');
  await page.goto(`/dashboard/subscriptions/${sub.id}`);

  // The endpoint recovers only once the click is in: until then a probe the breaker owes a
  // delivery's schedule would fail, so the breaker is still open when "Retry now" is pressed.
  await banner.getByRole('button', { name: 'Retry now' }).click();
  answer = 200;
  await expect(page.getByText('Probe on its way')).toBeVisible();
  for (const e of events)
    await expect.poll(async () => (await deliveriesOf(e.id))[0]?.status, { timeout: 20_000 }).toBe('succeeded');
  await page.reload();
  await expect(page.getByTestId('breaker-banner')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Active');
  await rx.close();
});

test('a subscription disabled by 410 Gone says so in its configuration, never "healthy"', async ({ page }) => {
  const rx = await receiver(() => 410);
  const { customerId, email, password } = await seedCustomer('Gone');
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['*'] });
  await publish(customerId, 'sync.requested', {});
  await expect
    .poll(async () => (await api<{ active: boolean }>('GET', `/subscriptions/${sub.id}`)).active, { timeout: 20_000 })
    .toBe(false);
  await signIn(page, email, password);
  await page.goto(`/dashboard/subscriptions/${sub.id}`);
  const panel = page.getByText('Circuit breaker', { exact: true }).locator('xpath=..');
  await expect(panel).toContainText('Disabled: deliveries are held until it is resumed');
  await expect(page.getByText('Closed (healthy)')).toHaveCount(0);
  await rx.close();
});
