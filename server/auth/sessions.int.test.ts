import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestContext, type TestCtx } from '../../tests/support/context';
import { platformScope } from '../domain/context';
import { createCustomer } from '../domain/tenants/customers';
import { createUser } from '../domain/tenants/dashboard-users';
import { changePassword, endSessions } from '../domain/tenants/sessions';

/**
 * Dashboard sessions are JWT cookies (Auth.js), yet revocable: a cookie captured before a sign-out
 * or a password change is refused afterwards. Driven through Auth.js's own HTTP handlers (the real
 * configuration of server/auth: sign-in with CSRF, then GET /api/auth/session, which every
 * authenticated page and API request reads the same way), against a real database.
 */
let ctx: TestCtx;
let handlers: (typeof import('./index'))['handlers'];
const BASE = 'http://localhost:3000/api/auth';

beforeAll(async () => {
  ctx = await startTestContext('sessions');
  process.env.AUTH_SECRET ??= 'test-auth-secret-0123456789abcdef';
  // The web runtime the auth configuration uses is this test's.
  (globalThis as unknown as { __hookrelayWeb?: Promise<{ ctx: TestCtx }> }).__hookrelayWeb = Promise.resolve({ ctx });
  ({ handlers } = await import('./index'));
});

afterAll(() => ctx?.close());

const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!);

/** Signs in through Auth.js's password callback; the session cookie it sets. */
async function signIn(email: string, password: string): Promise<string> {
  const csrfRes = await handlers.GET(new Request(`${BASE}/csrf`) as never);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await handlers.POST(
    new Request(`${BASE}/callback/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(csrfRes).join('; ') },
      body: new URLSearchParams({ email, password, csrfToken, callbackUrl: 'http://localhost:3000/dashboard' }),
    }) as never,
  );
  const session = cookiesOf(res).find((c) => c.startsWith('authjs.session-token='));
  if (!session) throw new Error(`sign-in failed: ${res.status} ${res.headers.get('location')}`);
  return session;
}

async function sessionWith(cookie: string): Promise<{ user?: { id: string; customerId: string } } | null> {
  const res = await handlers.GET(new Request(`${BASE}/session`, { headers: { cookie } }) as never);
  return (await res.json()) as { user?: { id: string; customerId: string } } | null;
}

async function user(label: string) {
  const c = await createCustomer(ctx, platformScope, { name: label });
  const email = `${label.toLowerCase().replace(/\W/g, '')}@example.test`;
  const u = await createUser(ctx, { email, password: 'first-password', customerId: c.id });
  return { ...u, email };
}

describe('revocable dashboard sessions', () => {
  it('a session cookie captured before sign-out is refused afterwards, in every browser; signing in again works', async () => {
    const u = await user('Sign Out');
    const here = await signIn(u.email, 'first-password');
    const elsewhere = await signIn(u.email, 'first-password');
    expect((await sessionWith(here))?.user).toMatchObject({ id: u.id, customerId: u.customerId });
    expect((await sessionWith(elsewhere))?.user).toMatchObject({ id: u.id });

    await endSessions(ctx, u.id); // what the dashboard's "Sign out" does before clearing its cookie
    expect(await sessionWith(here)).toBeNull();
    expect(await sessionWith(elsewhere)).toBeNull();

    const again = await signIn(u.email, 'first-password');
    expect((await sessionWith(again))?.user).toMatchObject({ id: u.id });
  });

  it("a password change ends the user's sessions and no other user's; the old password no longer signs in", async () => {
    const u = await user('Password Change');
    const other = await user('Bystander');
    const captured = await signIn(u.email, 'first-password');
    const bystander = await signIn(other.email, 'first-password');

    const changed = await changePassword(ctx, platformScope, { email: u.email, password: 'second-password' });
    expect(changed).toMatchObject({ id: u.id });
    expect(await sessionWith(captured)).toBeNull();
    expect((await sessionWith(bystander))?.user).toMatchObject({ id: other.id });
    await expect(signIn(u.email, 'first-password')).rejects.toThrow(/sign-in failed/);
    expect((await sessionWith(await signIn(u.email, 'second-password')))?.user).toMatchObject({ id: u.id });
  });
});
