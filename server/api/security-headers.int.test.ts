import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_URL, roomyLimiter } from '../../tests/support/api';
import { startTestContext, type TestCtx } from '../../tests/support/context';
import { createApiKey } from '../domain/tenants/api-keys';
import { bearerContext } from './bearer';
import { handleRest } from './rest';
import { serveTrpc } from './trpc-handler';

/**
 * API answers are never cached (Cache-Control: no-store: they carry customers' data, and secrets
 * once) and, when PUBLIC_URL is https, carry Strict-Transport-Security. (nosniff and the referrer
 * policy come from next.config.ts, on every path: e2e/security.spec.ts.)
 */
let ctx: TestCtx;
let key: string;

beforeAll(async () => {
  ctx = await startTestContext('security_headers', { publicUrl: 'https://hooks.example.com' });
  key = (await createApiKey(ctx, null, 'test platform')).key;
});

afterAll(() => ctx?.close());

const rest = (c: TestCtx, path: string, auth = true) =>
  handleRest(
    new Request(`${BASE_URL}/api/v1${path}`, { headers: auth ? { authorization: `Bearer ${key}` } : {} }),
    path,
    c,
    BASE_URL,
    {
      rateLimiter: roomyLimiter(),
    },
  );

const trpc = (publicUrl: string | undefined, auth = true) => {
  const req = new Request(`${BASE_URL}/api/trpc/customers.list?input=${encodeURIComponent('{}')}`, {
    headers: auth ? { authorization: `Bearer ${key}` } : {},
  });
  return serveTrpc(req, () => bearerContext(ctx, req, { baseUrl: BASE_URL, rateLimiter: roomyLimiter() }), {
    maxBodyBytes: 1024,
    publicUrl,
  });
};

describe('API answers', () => {
  it('REST: no-store and HSTS, on answers and on errors', async () => {
    for (const res of [
      await rest(ctx, '/customers'),
      await rest(ctx, '/customers', false),
      await rest(ctx, '/nowhere'),
    ]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    }
    expect((await rest(ctx, '/customers')).status).toBe(200);
  });

  it('tRPC: no-store and HSTS, on answers and on errors', async () => {
    for (const res of [await trpc('https://hooks.example.com'), await trpc('https://hooks.example.com', false)]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    }
  });

  it('no HSTS when PUBLIC_URL is http or unset (a browser would pin a host that has no TLS)', async () => {
    const plain = { ...ctx, config: { ...ctx.config, publicUrl: 'http://127.0.0.1:3000' } };
    const res = await rest(plain, '/customers');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.has('strict-transport-security')).toBe(false);
    const t = await trpc(undefined);
    expect(t.status).toBe(200);
    expect(t.headers.get('cache-control')).toBe('no-store');
    expect(t.headers.has('strict-transport-security')).toBe(false);
  });
});
