import { randomInt } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { e2eEnv, seedCustomer } from './support/api';
import { signIn, submitSignIn } from './support/auth';

/**
 * The security headers and defences as a browser and a hostile client meet them: a
 * Content-Security-Policy on every response that names no third-party script source, the API
 * reference rendered from our own origin, and sign-in throttled per email and per address.
 */
function scriptSources(policy: string): string[] {
  const directive =
    policy
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('script-src ')) ??
    policy
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('default-src ')) ??
    '';
  return directive.split(/\s+/).slice(1);
}

test('every page and API response carries a CSP that allows no third-party script', async ({ request }) => {
  for (const path of [
    '/login',
    '/portal',
    '/dashboard',
    '/api/docs',
    '/api/docs/scalar.js',
    '/api/health',
    '/api/v1/openapi.json',
  ]) {
    const res = await request.get(path, { maxRedirects: 0 });
    const policy = res.headers()['content-security-policy'];
    expect(policy, `${path} has a Content-Security-Policy`).toBeTruthy();
    const sources = scriptSources(policy!);
    expect(sources, path).toContain("'self'");
    for (const s of sources)
      expect(s, `${path}: script source ${s}`).toMatch(/^'(self|strict-dynamic|nonce-[A-Za-z0-9+/=]+)'$/);
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
  }
});

test('every path, static files included, refuses MIME sniffing and sends only its origin as referrer; API answers are not stored', async ({
  request,
}) => {
  const html = await (await request.get('/login')).text();
  const asset = /<script[^>]*\ssrc="(\/_next\/static\/[^"]+)"/.exec(html)?.[1];
  expect(asset, 'the login page loads a static chunk').toBeTruthy();
  for (const path of [
    '/login',
    '/portal',
    '/dashboard',
    '/api/docs',
    '/api/health',
    '/api/v1/openapi.json',
    '/api/v1/customers',
    '/api/trpc/customers.list',
    asset!,
  ]) {
    const res = await request.get(path, { maxRedirects: 0 });
    const headers = res.headers();
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    // The e2e server's PUBLIC_URL is http: no HSTS (it would pin a host that has no TLS).
    expect(headers['strict-transport-security'], path).toBeUndefined();
    if (path.startsWith('/api/v1/') || path.startsWith('/api/trpc/'))
      expect(headers['cache-control'], path).toBe('no-store');
  }
});

test('pages name a fresh nonce, and their HTML loads no script from elsewhere', async ({ request }) => {
  const nonces = new Set<string>();
  for (const path of ['/login', '/login', '/api/docs']) {
    const res = await request.get(path);
    expect(res.status()).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\/cdn/i);
    const srcs = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs.length, `${path} loads scripts`).toBeGreaterThan(0);
    for (const src of srcs) expect(src, `${path}: script ${src}`).toMatch(/^\/(?!\/)/);
    const nonce = /'nonce-([^']+)'/.exec(res.headers()['content-security-policy']!)?.[1];
    if (path === '/login') {
      expect(nonce).toBeTruthy();
      nonces.add(nonce!);
    } else {
      // The API reference has no inline script at all, so its policy needs no nonce.
      expect(nonce).toBeUndefined();
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)(?![^>]*type="application\/json")[^>]*>/);
    }
  }
  expect(nonces.size).toBe(2);
});

test('the API reference renders offline, from our own origin, with no CSP error', async ({ page }) => {
  const foreign: string[] = [];
  const origin = new URL(e2eEnv().baseUrl).origin;
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
      foreign.push(r.url());
  });
  await page.goto('/api/docs');
  await expect(page.getByText('Hookrelay API').first()).toBeVisible();
  await expect(page.getByText('Create a customer').first()).toBeVisible();
  expect(foreign).toEqual([]);
});

test('the dashboard works under its CSP (scripts run, navigation works)', async ({ page }) => {
  const { email, password } = await seedCustomer('Csp');
  await signIn(page, email, password);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await page.getByRole('link', { name: 'Subscriptions' }).first().click();
  await expect(page).toHaveURL(/\/dashboard\/subscriptions$/);
  await expect(page.getByText('No subscriptions yet')).toBeVisible();
});

/**
 * Each test counts against an address of its own (the X-Forwarded-For entry a proxy would write; the
 * e2e server trusts one proxy: only a header, no traffic goes there), so the per-address limit of one test, or of a retry, does not spill into another.
 */
const freshIp = () => `203.0.${randomInt(256)}.${1 + randomInt(254)}`;

/** A password sign-in through Auth.js's own HTTP endpoint, as a script would try it. */
async function passwordCallback(request: APIRequestContext, ip: string, email: string, password: string) {
  const csrf = (await (await request.get('/api/auth/csrf', { headers: { 'x-forwarded-for': ip } })).json()) as {
    csrfToken: string;
  };
  return request.post('/api/auth/callback/password', {
    headers: { 'x-forwarded-for': ip },
    form: { email, password, csrfToken: csrf.csrfToken, callbackUrl: '/dashboard' },
    maxRedirects: 0,
  });
}

test('ten failed sign-ins for one email: the next is 429 with Retry-After, even with the right password', async ({
  request,
}) => {
  const { email, password } = await seedCustomer('Throttled');
  const ip = freshIp();
  for (let i = 0; i < 10; i++) {
    const res = await passwordCallback(request, ip, email, `wrong-${i}`);
    expect(res.status(), `attempt ${i + 1}`).toBe(302);
    expect(res.headers().location).toContain('error=CredentialsSignin');
  }
  for (const attempt of [`wrong-again`, password]) {
    // From another address too: the count is per email.
    const res = await passwordCallback(request, attempt === password ? freshIp() : ip, email, attempt);
    expect(res.status()).toBe(429);
    const retryAfter = Number(res.headers()['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /; try again in \d+ (minute|second)s?$/,
    );
  }
  // Another account from the same address is not locked out by this one.
  const other = await seedCustomer('Unaffected');
  const ok = await passwordCallback(request, ip, other.email, other.password);
  expect(ok.status()).toBe(302);
  expect(ok.headers().location).not.toContain('error');
});

test('fifty failed sign-ins from one address: the next is 429 whatever the email', async ({ request }) => {
  const ip = freshIp();
  for (let i = 0; i < 50; i++)
    expect((await passwordCallback(request, ip, `nobody-${i}-${ip}@example.test`, 'guess')).status()).toBe(302);
  const { email, password } = await seedCustomer('SameAddress');
  const res = await passwordCallback(request, ip, email, password);
  expect(res.status()).toBe(429);
  expect(Number(res.headers()['retry-after'])).toBeGreaterThan(0);
  // The same account from another address signs in.
  expect((await passwordCallback(request, freshIp(), email, password)).status()).toBe(302);
});

test('the sign-in page says how long to wait once the limit is reached', async ({ browser, request }) => {
  const ip = freshIp();
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': ip } });
  const page = await context.newPage();
  const { email, password } = await seedCustomer('Waiting');
  for (let i = 0; i < 9; i++) await passwordCallback(request, ip, email, `wrong-${i}`);

  await page.goto('/login');
  await submitSignIn(page, email, 'wrong-once-more');
  await expect(page.getByRole('alert').filter({ hasText: 'Email or password is incorrect.' })).toBeVisible();

  // The form is reset after each attempt: fill it again, with the right password this time.
  await submitSignIn(page, email, password);
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /^Too many failed sign-in attempts\. Try again in \d+ (minute|second)s?\.$/ }),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await context.close();
});
