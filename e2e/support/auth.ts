import { expect, type Page } from '@playwright/test';

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard/);
}

/** Signs in, follows the main navigation to Subscriptions, opens "New subscription" and fills its URL and patterns. */
export async function openNewSubscription(page: Page, who: { email: string; password: string }, url: string, patterns: string) {
  await signIn(page, who.email, who.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscriptions' }).click();
  await page.getByRole('button', { name: 'New subscription' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New subscription' });
  await dialog.getByLabel('Endpoint URL').fill(url);
  await dialog.getByLabel('Event types').fill(patterns);
  return dialog;
}
