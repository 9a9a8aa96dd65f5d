import { expect, test } from '@playwright/test';
import { createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { signIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('a failing endpoint leaves a dead letter; after the fix one click replays it to success', async ({ page }) => {
  let answer = 500;
  const rx = await receiver(() => answer);
  const { customerId, email, password } = await seedCustomer('Dead');
  // Two attempts one (scaled) second apart, then the dead letter.
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['payment.*'], retryPolicy: { maxAttempts: 2, scheduleSeconds: [1] } });
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
  await page.getByTestId('inspector').getByRole('tab', { name: /Response/ }).click();
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
