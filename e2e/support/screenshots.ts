import type { Page } from '@playwright/test';

/**
 * Saves the page under test-results/screenshots/: light (name.png), dark (name-dark.png) and on a
 * 390 px wide phone (name-phone.png), each the full page. Dark is the `dark` class the theme toggle
 * sets; the class and the viewport are put back afterwards.
 */
/** Toasts are transient: they would cover content in a capture. */
const hideToasts = '[data-testid="toast"] { display: none !important; }';

export const PHONE = { width: 390, height: 844 };

/** Two animation frames: React has re-rendered what a class or viewport change set off. */
export async function settled(page: Page) {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

export async function screenshots(page: Page, name: string) {
  // Specs call this once the data they assert on is visible; skeletons must be gone by then.
  await page
    .getByRole('status', { name: /^Loading/ })
    .first()
    .waitFor({ state: 'detached', timeout: 15_000 })
    .catch(() => {});
  const wasDark = await page.evaluate(() => document.documentElement.classList.contains('dark'));
  const shot = (file: string) =>
    page.screenshot({
      path: `test-results/screenshots/${file}.png`,
      fullPage: true,
      animations: 'disabled',
      style: hideToasts,
    });
  await page.evaluate(() => document.documentElement.classList.remove('dark'));
  await settled(page);
  await shot(name);
  await page.evaluate(() => document.documentElement.classList.add('dark'));
  await settled(page);
  await shot(`${name}-dark`);
  await page.evaluate(() => document.documentElement.classList.remove('dark'));
  const viewport = page.viewportSize();
  if (viewport && viewport.width !== PHONE.width) {
    await page.setViewportSize(PHONE);
    await settled(page);
    await shot(`${name}-phone`);
    await page.setViewportSize(viewport);
    await settled(page);
  } else {
    await shot(`${name}-phone`);
  }
  await page.evaluate((dark) => document.documentElement.classList.toggle('dark', dark), wasDark);
}
