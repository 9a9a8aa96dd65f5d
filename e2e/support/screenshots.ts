import type { Page } from '@playwright/test';

/**
 * Saves the page in light and dark under test-results/screenshots/ (name.png, name-dark.png).
 * Dark is the `dark` class the theme toggle sets; it is removed again afterwards.
 */
/** Toasts are transient: they would cover content in a capture. */
const hideToasts = '[data-testid="toast"] { display: none !important; }';

export async function screenshots(page: Page, name: string) {
  // Specs call this once the data they assert on is visible; skeletons must be gone by then.
  await page.getByRole('status', { name: /^Loading/ }).first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
  await page.evaluate(() => document.documentElement.classList.remove('dark'));
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true, animations: 'disabled', style: hideToasts });
  await page.evaluate(() => document.documentElement.classList.add('dark'));
  await page.screenshot({ path: `test-results/screenshots/${name}-dark.png`, fullPage: true, animations: 'disabled', style: hideToasts });
  await page.evaluate(() => document.documentElement.classList.remove('dark'));
}
