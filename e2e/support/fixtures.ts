import { expect, test as base } from '@playwright/test';

/**
 * Every spec's page fails the test on an uncaught exception or a console error (hydration
 * mismatches, React warnings). Failed requests the spec provokes on purpose (404 for another
 * customer's object, 401/403) show as "Failed to load resource" and are not errors of the page.
 */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
          errors.push(`console: ${m.text()}`);
      });
      await use(errors);
      expect(errors, 'errors in the browser console').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
