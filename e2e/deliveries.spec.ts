import { expect, test } from '@playwright/test';
import { api, receiver, seedCustomer } from './support/api';
import { signIn } from './support/auth';

test('a signed-in customer sees a delivered event', async ({ page }) => {
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Acme');
  await api('POST', '/subscriptions', { customerId, url: rx.url, eventTypes: ['order.*'] });
  const event = await api<{ id: string }>('POST', '/events', { customerId, type: 'order.created', data: { orderId: 7 } });

  await signIn(page, email, password);
  const row = page.getByTestId('delivery-row').filter({ hasText: event.id });
  await expect(row).toContainText('succeeded');
  await expect(row).toContainText('order.created');
  expect(rx.bodies.some((b) => b.includes(event.id))).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/deliveries.png', fullPage: true });
  await rx.close();
});

test('wrong password is refused with a message', async ({ page }) => {
  const { email } = await seedCustomer('Wrongpw');
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'incorrect' })).toBeVisible();
});

test('the dashboard requires sign-in', async ({ page }) => {
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login/);
});
