import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { api, createSubscription, deliveriesOf, publish, receiver, seedCustomer, seedEventTypes } from './support/api';
import { signIn } from './support/auth';
import { PHONE, screenshots, settled } from './support/screenshots';

/**
 * Every page of the product, with data on it, three ways: light, dark, and on a 390 px phone. Each
 * passes the axe audit with no serious or critical violation in both themes, never scrolls sideways
 * on the phone, and is saved as a screenshot (test-results/screenshots/page-*.png).
 */
async function audit(page: Page, name: string, theme: 'light' | 'dark') {
  await page.evaluate((dark) => {
    document.documentElement.classList.toggle('dark', dark);
    document.documentElement.classList.toggle('light', !dark);
  }, theme === 'dark');
  await settled(page);
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')} ${n.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`)
          .join('\n')}`,
    );
  expect.soft(serious, `${name} in ${theme}: accessibility violations`).toEqual([]);
}

async function fitsPhone(page: Page, name: string) {
  const size = page.viewportSize()!;
  await page.setViewportSize(PHONE);
  await settled(page);
  const { overflow, offenders } = await page.evaluate(() => {
    const w = window.innerWidth;
    // The outermost elements that reach past the right edge: what to fix when it fails.
    const wide = [...document.body.querySelectorAll<HTMLElement>('*')].filter(
      (el) => el.getBoundingClientRect().right > w + 0.5,
    );
    const outer = wide.filter(
      (el) =>
        !wide.some(
          (o) => o !== el && o.contains(el) && o.getBoundingClientRect().right >= el.getBoundingClientRect().right,
        ),
    );
    return {
      overflow: document.documentElement.scrollWidth - w,
      offenders: outer
        .slice(0, 5)
        .map(
          (el) =>
            `${el.tagName.toLowerCase()}.${el.className.toString().slice(0, 80)} right=${Math.round(el.getBoundingClientRect().right)}`,
        ),
    };
  });
  expect
    .soft(overflow, `${name} scrolls sideways by ${overflow}px at 390 px:\n${offenders.join('\n')}`)
    .toBeLessThanOrEqual(0);
  await page.setViewportSize(size);
  await settled(page);
}

async function visit(page: Page, name: string, path: string, heading: RegExp | string) {
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(heading);
  await expect(page.getByRole('status', { name: /^Loading/ })).toHaveCount(0);
  await audit(page, name, 'light');
  await audit(page, name, 'dark');
  await page.evaluate(() => document.documentElement.classList.remove('dark', 'light'));
  await fitsPhone(page, name);
  await screenshots(page, `page-${name}`);
}

type World = {
  email: string;
  password: string;
  order: string;
  deliveryId: string;
  orders: string;
  invoices: string;
  paused: string;
  okUrl: string;
  close: () => Promise<void>;
};
let world: World;

test.describe('every page', () => {
  test.describe.configure({ mode: 'serial' });

  test.beforeAll(async () => {
    const ok = await receiver();
    const failing = await receiver(() => 500);
    const { customerId, email, password } = await seedCustomer('Tour');
    const orders = await createSubscription(customerId, {
      url: ok.url,
      eventTypes: ['order.*'],
      description: 'Order sync',
    });
    const invoices = await createSubscription(customerId, {
      url: `${failing.url}/a-rather-long-path/that-would-push-a-phone-screen-sideways?tenant=acme-corporation-international`,
      eventTypes: ['invoice.*'],
      retryPolicy: { maxAttempts: 1 },
    });
    const paused = await createSubscription(customerId, { url: `${ok.url}/paused`, eventTypes: ['refund.*'] });
    await api('PATCH', `/subscriptions/${paused.id}`, { active: false });
    const order = await publish(customerId, 'order.created', { orderId: 'ord_tour', amount: 4200 });
    await publish(customerId, 'order.updated', { orderId: 'ord_tour' });
    const invoice = await publish(customerId, 'invoice.overdue', { invoiceId: 'inv_tour' });
    await publish(customerId, 'invoice.overdue', { invoiceId: 'inv_tour_2' });
    await publish(customerId, 'refund.created', { refundId: 'ref_tour' });
    await expect.poll(async () => (await deliveriesOf(order.id))[0]?.status, { timeout: 20_000 }).toBe('succeeded');
    await expect.poll(async () => (await deliveriesOf(invoice.id))[0]?.status, { timeout: 20_000 }).toBe('dead');
    const [delivery] = await deliveriesOf(invoice.id);
    // The catalog page with a type that has a schema and an example, and one without.
    await seedEventTypes(`tour${Date.now().toString(36)}`);
    world = {
      email,
      password,
      order: order.id,
      deliveryId: delivery!.id,
      orders: orders.id,
      invoices: invoices.id,
      paused: paused.id,
      okUrl: ok.url,
      close: async () => {
        await ok.close();
        await failing.close();
      },
    };
  });

  test.afterAll(async () => {
    await world?.close();
  });

  test('signed out: sign-in and portal pages', async ({ page }) => {
    await visit(page, 'login', '/login', 'Sign in');
    await visit(page, 'portal', '/portal?token=not-a-token', 'Hookrelay');
  });

  test('overview, events, an event and a delivery', async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, world.email, world.password);
    await visit(page, 'overview', '/dashboard', 'Overview');
    await expect(page.getByTestId('endpoint-row')).toHaveCount(3);
    await visit(page, 'events', '/dashboard/events', 'Events');
    await visit(page, 'event-detail', `/dashboard/events/${world.order}`, 'order.created');
    await visit(page, 'delivery', `/dashboard/deliveries/${world.deliveryId}`, 'invoice.overdue');
  });

  test('subscriptions: the list, a healthy, a failing and a paused one', async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, world.email, world.password);
    await visit(page, 'subscriptions', '/dashboard/subscriptions', 'Subscriptions');
    // The failing endpoint comes first: it needs attention.
    await expect(page.getByTestId('subscription-row').first()).toContainText('a-rather-long-path');
    await visit(page, 'subscription-detail', `/dashboard/subscriptions/${world.orders}`, world.okUrl);
    await visit(page, 'subscription-failing', `/dashboard/subscriptions/${world.invoices}`, 'a-rather-long-path');
    await visit(page, 'subscription-paused', `/dashboard/subscriptions/${world.paused}`, 'Paused');
  });

  test('event types, usage and the audit log', async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, world.email, world.password);
    await visit(page, 'event-types', '/dashboard/event-types', 'Event types');
    await visit(page, 'usage', '/dashboard/usage', 'Usage');
    await expect(page.getByTestId('usage-row')).toHaveCount(1);
    await visit(page, 'audit-log', '/dashboard/audit-log', 'Audit log');
    await expect(page.getByTestId('audit-row').filter({ hasText: 'subscription.paused' })).toHaveCount(1);
  });

  test('dead letters, and the dialogs', async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, world.email, world.password);
    await visit(page, 'dead-letters', '/dashboard/dead-letters', 'Dead letters');
    await expect(page.getByTestId('delivery-row')).toHaveCount(2);
    await page.goto('/dashboard/subscriptions');
    await page.getByRole('button', { name: 'New subscription' }).first().click();
    await expect(page.getByRole('dialog', { name: 'New subscription' })).toBeVisible();
    await audit(page, 'new-subscription dialog', 'light');
    await audit(page, 'new-subscription dialog', 'dark');
    await page.keyboard.press('Escape');
    await page.goto(`/dashboard/subscriptions/${world.orders}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await expect(page.getByRole('dialog', { name: 'Edit subscription' })).toBeVisible();
    await audit(page, 'edit-subscription dialog', 'light');
    await audit(page, 'edit-subscription dialog', 'dark');
    await page.keyboard.press('Escape');
    await page.goto('/dashboard/dead-letters');
    await page.getByRole('button', { name: 'Replay since…' }).click();
    await expect(page.getByRole('dialog', { name: 'Replay what failed since…' })).toBeVisible();
    await audit(page, 'replay-since dialog', 'light');
    await audit(page, 'replay-since dialog', 'dark');
  });
});

test('every control is reached by the keyboard and shows where the focus is', async ({ page }) => {
  const rx = await receiver(() => 500);
  const { customerId, email, password } = await seedCustomer('Keys');
  const sub = await createSubscription(customerId, { url: rx.url, eventTypes: ['*'], retryPolicy: { maxAttempts: 1 } });
  const e = await publish(customerId, 'key.pressed', {});
  await expect.poll(async () => (await deliveriesOf(e.id))[0]?.status, { timeout: 20_000 }).toBe('dead');
  await signIn(page, email, password);
  for (const path of [
    '/dashboard',
    '/dashboard/events',
    '/dashboard/subscriptions',
    `/dashboard/subscriptions/${sub.id}`,
    '/dashboard/dead-letters',
    `/dashboard/events/${e.id}`,
  ]) {
    await page.goto(path);
    await expect(page.getByRole('status', { name: /^Loading/ })).toHaveCount(0);
    const seen: string[] = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return {
          name: `${el.tagName.toLowerCase()} ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? ''}`,
          ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none',
          visible: r.width > 0 && r.height > 0,
        };
      });
      if (!f) break;
      expect(f.ring, `${path}: ${f.name} has no visible focus indicator`).toBe(true);
      expect(f.visible, `${path}: ${f.name} is focused but not on screen`).toBe(true);
      seen.push(f.name);
    }
    expect(seen.length, `${path}: nothing reached by Tab`).toBeGreaterThan(3);
  }
  // The dead letter's row actions are among them: select it and replay it from the keyboard.
  await page.goto('/dashboard/dead-letters');
  const select = page.getByRole('checkbox', { name: /Select delivery dlv_/ });
  await select.focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('replay-selected')).toContainText('Replay selected (1)');
  await rx.close();
});
