import { expect, test } from './support/fixtures';
import { api, createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { signIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('a failing endpoint leaves a dead letter; after the fix one click replays it to success', async ({ page }) => {
  let answer = 500;
  const rx = await receiver(() => answer);
  const { customerId, email, password } = await seedCustomer('Dead');
  // Two attempts, then the dead letter. The policy's whole window is its schedule (5000 s, about 5 s
  // at the e2e server's RETRY_TIME_SCALE of 0.001): the retry lands inside it, and a failure once it
  // is spent is final.
  const sub = await createSubscription(customerId, {
    url: rx.url,
    eventTypes: ['payment.*'],
    retryPolicy: { maxAttempts: 2, scheduleSeconds: [5000] },
  });
  const event = await publish(customerId, 'payment.failed', { paymentId: 'pay_1' });
  await expect.poll(async () => (await deliveriesOf(event.id))[0]?.status, { timeout: 30_000 }).toBe('dead');

  await signIn(page, email, password);
  await expect(page.getByTestId('stat-dead')).toHaveText('1');
  await page.getByRole('link', { name: 'Dead letters' }).first().click();
  await expect(page).toHaveURL(/\/dashboard\/dead-letters/);
  const row = page.getByTestId('delivery-row').filter({ hasText: event.id });
  await expect(row).toContainText('Dead letter');
  await expect(row).toContainText('500');
  await expect(row).toContainText(sub.url);
  await screenshots(page, 'dead-letters');

  // The delivery page tells the story: two failed attempts, then the dead letter.
  await row.getByRole('link', { name: /Delivery dlv_/ }).click();
  await expect(page).toHaveURL(/\/dashboard\/deliveries\/dlv_/);
  const attempts = page.getByTestId('attempt-item');
  await expect(attempts).toHaveCount(2);
  await expect(attempts.nth(0)).toContainText('#1 First attempt');
  await expect(attempts.nth(0)).toContainText('500');
  await expect(attempts.nth(0)).toContainText('Next retry');
  await expect(attempts.nth(1)).toContainText('#2 Retry');
  await expect(page.getByTestId('timeline-next')).toContainText('Gave up after 2 attempts');
  await page
    .getByTestId('inspector')
    .getByRole('tab', { name: /Response/ })
    .click();
  await expect(page.getByTestId('inspector').getByRole('tabpanel')).toContainText('received');

  // The endpoint is fixed; replay.
  answer = 200;
  await page.getByTestId('replay-button').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Replay queued' })).toBeVisible();
  await expect(attempts).toHaveCount(3);
  await expect(attempts.nth(2)).toContainText('#3 Replay');
  await expect(attempts.nth(2)).toContainText('200');
  await expect(page.getByTestId('delivery-card')).toContainText('Succeeded');
  await expect(page.getByTestId('delivery-card')).toContainText('replayed 1×');
  // The inspector follows the newest attempt.
  await expect(page.getByTestId('inspector')).toHaveAttribute('aria-label', 'Attempt 3');

  await page.getByRole('link', { name: 'Dead letters' }).click();
  await expect(page.getByText('No dead letters')).toBeVisible();
  expect(rx.bodies.filter((b) => b.includes(event.id))).toHaveLength(3);
  await rx.close();
});

test('replay all re-sends every dead letter with live progress', async ({ page }) => {
  let answer = 503;
  const rx = await receiver(() => answer);
  const { customerId, email, password } = await seedCustomer('Bulk');
  await createSubscription(customerId, { url: rx.url, eventTypes: ['invoice.*'], retryPolicy: { maxAttempts: 1 } });
  const events = [];
  for (let i = 0; i < 3; i++) events.push(await publish(customerId, 'invoice.overdue', { i }));
  for (const e of events)
    await expect.poll(async () => (await deliveriesOf(e.id))[0]?.status, { timeout: 30_000 }).toBe('dead');

  await signIn(page, email, password);
  await page.goto('/dashboard/dead-letters');
  await expect(page.getByTestId('delivery-row')).toHaveCount(3);
  answer = 200;
  await page.getByRole('button', { name: 'Replay all' }).click();
  await page
    .getByRole('dialog', { name: 'Replay every dead letter?' })
    .getByRole('button', { name: 'Replay all' })
    .click();
  const replay = page.getByTestId('bulk-replay');
  await expect(replay.getByTestId('replay-total')).toHaveText('3');
  await expect(replay.getByTestId('replay-enqueued')).toHaveText('3');
  await expect(replay.getByTestId('replay-delivered')).toHaveText('3');
  await expect(replay.getByTestId('replay-failed')).toHaveText('0');
  await expect(replay).toContainText('Finished');
  await expect(replay.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '3');
  await expect(page.getByText('No dead letters')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Replay all' })).toBeDisabled();
  await screenshots(page, 'dead-letters-replayed');
  await rx.close();
});

test('a running replay all can be cancelled; a second one too soon is refused in words', async ({ page }) => {
  // 422: the endpoint answers but rejects. Unlike 5xx it does not trip the circuit breaker, so
  // a hundred dead letters pile up in seconds.
  let answer = 422;
  const rx = await receiver(() => answer);
  const { customerId, email, password } = await seedCustomer('Cancel');
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['*'], retryPolicy: { maxAttempts: 1 } });
  const n = 104;
  for (let i = 0; i < n; i++) await publish(customerId, 'usage.reported', { i });
  await expect
    .poll(
      async () =>
        (await api<{ data: unknown[] }>('GET', `/deliveries?customerId=${customerId}&status=dead&limit=200`)).data
          .length,
      { timeout: 60_000 },
    )
    .toBe(n);

  await signIn(page, email, password);
  await page.goto(`/dashboard/dead-letters?sub=${sub.id}`);
  await expect(page.getByTestId('delivery-row')).toHaveCount(25);
  answer = 200;
  await page.getByRole('button', { name: 'Replay all for this subscription' }).click();
  await page
    .getByRole('dialog', { name: 'Replay every dead letter of this subscription?' })
    .getByRole('button', { name: 'Replay all' })
    .click();
  // The first batch of 100 goes at once; the rest waits for the customer's replay budget.
  const replay = page.getByTestId('bulk-replay');
  await expect(replay.getByTestId('replay-total')).toHaveText(String(n));
  await expect(replay.getByTestId('replay-enqueued')).toHaveText('100');
  await expect(replay).toContainText('Re-enqueuing');
  await expect(page.getByRole('button', { name: 'Replay all for this subscription' })).toBeDisabled();
  await replay.getByRole('button', { name: 'Cancel replay' }).click();
  await expect(replay).toContainText('Cancelled');
  // What was enqueued before the cancel still goes out, and the progress follows it live.
  await expect(replay.getByTestId('replay-delivered')).toHaveText('100', { timeout: 45_000 });
  await expect(replay.getByTestId('replay-enqueued')).toHaveText('100');
  await expect(replay.getByRole('button', { name: 'Cancel replay' })).toHaveCount(0);
  await expect(page.getByTestId('delivery-row')).toHaveCount(n - 100);
  await screenshots(page, 'dead-letters-cancelled');

  // Another replay right away is refused with the reason and the wait.
  await page.getByRole('button', { name: 'Replay all for this subscription' }).click();
  const dialog = page.getByRole('dialog', { name: 'Replay every dead letter of this subscription?' });
  await dialog.getByRole('button', { name: 'Replay all' }).click();
  await expect(dialog.getByRole('alert')).toContainText(
    /Too many requests: a bulk replay may start [\w ]+ after the last one ended; try again in \d+ (minute|second)s?\./,
  );
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await rx.close();
});

test('dead letters filter by subscription, event type and time; a selection replays together; "replay since" recovers an outage', async ({
  page,
}) => {
  let answer = 500;
  const rx = await receiver(() => answer);
  const other = await receiver(() => 500);
  const { customerId, email, password } = await seedCustomer('Triage');
  const orders = await createSubscription(customerId, {
    url: rx.url,
    eventTypes: ['order.*'],
    retryPolicy: { maxAttempts: 1 },
  });
  const invoices = await createSubscription(customerId, {
    url: other.url,
    eventTypes: ['invoice.*'],
    retryPolicy: { maxAttempts: 1 },
  });
  const created = [
    await publish(customerId, 'order.created', { n: 1 }),
    await publish(customerId, 'order.created', { n: 2 }),
    await publish(customerId, 'order.cancelled', { n: 3 }),
  ];
  const invoice = await publish(customerId, 'invoice.overdue', {});
  for (const e of [...created, invoice])
    await expect.poll(async () => (await deliveriesOf(e.id))[0]?.status, { timeout: 30_000 }).toBe('dead');

  await signIn(page, email, password);
  await page.goto('/dashboard/dead-letters');
  const rows = page.getByTestId('delivery-row');
  await expect(rows).toHaveCount(4);
  // By subscription, then by event type (a pattern), then by time: each in the URL.
  await page.getByLabel('Subscription').selectOption(orders.id);
  await expect(rows).toHaveCount(3);
  await expect(page).toHaveURL(new RegExp(`sub=${orders.id}`));
  await page.getByLabel('Event type').fill('order.cancelled');
  await expect(rows).toHaveCount(1);
  await expect(page).toHaveURL(/type=order\.cancelled/);
  await page.getByLabel('Event type').fill('order.*');
  await expect(rows).toHaveCount(3);
  await page.getByLabel('Event type').fill('order.');
  await expect(page.getByRole('alert').filter({ hasText: '"order." is not an event type or pattern' })).toBeVisible();
  await page.getByLabel('Event type').fill('');
  await page.getByLabel('Time range').selectOption('1h');
  await expect(rows).toHaveCount(3);
  await page.reload();
  await expect(rows).toHaveCount(3);
  await expect(page.getByLabel('Subscription')).toHaveValue(orders.id);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(rows).toHaveCount(4);

  // Pick two of the order dead letters and replay just those.
  answer = 200;
  const first = rows.filter({ hasText: created[0]!.id });
  const second = rows.filter({ hasText: created[1]!.id });
  await first.getByRole('checkbox').check();
  await second.getByRole('checkbox').check();
  await page.getByTestId('replay-selected').click();
  await expect(page.getByTestId('toast').filter({ hasText: '2 replays queued' })).toBeVisible();
  for (const e of created.slice(0, 2))
    await expect.poll(async () => (await deliveriesOf(e.id))[0]?.status, { timeout: 20_000 }).toBe('succeeded');
  await expect(rows).toHaveCount(2);
  expect((await deliveriesOf(created[2]!.id))[0]?.status).toBe('dead');

  // Recover: everything that failed since an hour ago, of the orders endpoint only.
  await page.getByLabel('Subscription').selectOption(orders.id);
  await expect(rows).toHaveCount(1);
  await page.getByRole('button', { name: 'Replay since…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Replay what failed since…' });
  await expect(dialog).toContainText(orders.url);
  await dialog.getByRole('button', { name: 'Replay since then' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Replay started' })).toBeVisible();
  const replay = page.getByTestId('bulk-replay');
  await expect(replay.getByTestId('replay-total')).toHaveText('1');
  await expect(replay).toContainText('created since');
  await expect(replay.getByTestId('replay-delivered')).toHaveText('1');
  await expect(page.getByText('No dead letters')).toBeVisible();
  // The other endpoint's dead letter was not part of it.
  expect((await deliveriesOf(invoice.id))[0]?.status).toBe('dead');
  const replays = await api<{ data: { filter: { subscriptionId?: string; from?: string } }[] }>(
    'GET',
    `/replays?customerId=${customerId}`,
  );
  expect(replays.data[0]!.filter.subscriptionId).toBe(orders.id);
  expect(replays.data[0]!.filter.from).toBeTruthy();
  expect(invoices.id).not.toBe(orders.id);
  await rx.close();
  await other.close();
});
