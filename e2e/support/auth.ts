import { expect, type Page } from '@playwright/test';

/** Fills the sign-in form of the page with `email` and `password` and submits it. */
export async function submitSignIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/login');
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL(/\/dashboard/);
}

/** Opens "New subscription" from the subscriptions page the page is on and fills its URL and patterns. */
export async function fillNewSubscription(page: Page, url: string, patterns: string) {
  await page.getByRole('button', { name: 'New subscription' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New subscription' });
  await dialog.getByLabel('Endpoint URL').fill(url);
  await dialog.getByLabel('Event types').fill(patterns);
  return dialog;
}

/** Signs in, follows the main navigation to Subscriptions, opens "New subscription" and fills its URL and patterns. */
export async function openNewSubscription(
  page: Page,
  who: { email: string; password: string },
  url: string,
  patterns: string,
) {
  await signIn(page, who.email, who.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscriptions' }).click();
  return fillNewSubscription(page, url, patterns);
}

/** Opens the page of the subscription and pauses it there. */
export async function pauseSubscription(page: Page, subscriptionId: string) {
  await page.goto(`/dashboard/subscriptions/${subscriptionId}`);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Paused');
}
