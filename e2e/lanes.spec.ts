import { expect, test } from './support/fixtures';
import { api, receiver, seedCustomer, type Subscription } from './support/api';
import { signIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('a strict ordering lane blocked by a dead letter: the page shows it, "Skip head" moves it on, in order', async ({
  page,
}) => {
  // The first request fails; with one attempt allowed, the lane's head becomes a dead letter at once.
  let requests = 0;
  const rx = await receiver(() => (requests++ === 0 ? 500 : 200));
  const { customerId, email, password } = await seedCustomer('Lanes');
  const sub = await api<Subscription>('POST', '/subscriptions', {
    customerId,
    url: rx.url,
    eventTypes: ['order.*'],
    ordering: 'strict',
    retryPolicy: { maxAttempts: 1 },
  });
  const events: Array<{ id: string }> = [];
  for (let seq = 0; seq < 3; seq++)
    events.push(
      await api<{ id: string }>('POST', '/events', {
        customerId,
        type: 'order.updated',
        orderingKey: 'order-42',
        data: { seq },
      }),
    );

  await signIn(page, email, password);
  await page.goto(`/dashboard/subscriptions/${sub.id}`);
  await expect(page.getByTestId('subscription-ordering')).toContainText('Strict');
  const lane = page.getByTestId('blocked-lane');
  await expect(lane).toHaveCount(1);
  await expect(lane).toContainText('order-42');
  await expect(lane).toContainText('Dead letter holds the lane');
  await expect(lane).toContainText('2 deliveries waiting behind it');
  await expect(lane).toContainText('HTTP 500');
  // Nothing behind the dead head was sent.
  expect(rx.bodies).toHaveLength(1);
  await screenshots(page, 'lanes-blocked');

  await lane.getByRole('button', { name: 'Skip head' }).click();
  const dialog = page.getByRole('dialog', { name: 'Skip the head of lane order-42?' });
  await dialog.getByRole('button', { name: 'Skip head' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('blocked-lanes')).toBeHidden();
  await expect.poll(() => rx.bodies.length, { timeout: 15_000 }).toBe(3);
  expect(rx.bodies.map((b) => (JSON.parse(b) as { data: { seq: number } }).data.seq)).toEqual([0, 1, 2]);
  // The event's page names its lane.
  await page.goto(`/dashboard/events/${events[0]!.id}`);
  await expect(page.getByTestId('event-ordering-key')).toHaveText('order-42');
  await rx.close();
});
