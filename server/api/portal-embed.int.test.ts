import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestContext, type TestCtx } from '../../tests/support/context';
import { createTestDatabase } from '../../tests/support/db';
import { restClient, snapshot, type Rest } from '../../tests/support/api';
import { consumePortalToken } from '../domain/tenants/portal-links';
import { createApiKey } from '../domain/tenants/api-keys';

/**
 * Embed links (POST /customers/{id}/portal-link with `embed: true`): refused while no origin may
 * frame the portal, their theme checked strictly (a hostile logo URL or colour is a 400 naming the
 * field, and nothing is stored), recorded in the audit log with the theme, and spendable only by
 * the embedded view's sign-in.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TestCtx;
let off: TestCtx;
let rest: Rest;
let restOff: Rest;
let platformKey: string;
let customerId: string;

const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

beforeAll(async () => {
  db = await createTestDatabase('portal_embed');
  ctx = await createTestContext(db.url, { portalFrameAncestors: ['https://app.example.com'] });
  off = await createTestContext(db.url, { portalFrameAncestors: [] });
  rest = restClient(ctx);
  restOff = restClient(off);
  platformKey = (await createApiKey(ctx, null, 'platform')).key;
  const created = await rest('POST', '/customers', { key: platformKey, body: { name: 'Embed Co' } });
  expect(created.status).toBe(201);
  customerId = created.body.id;
});

afterAll(async () => {
  await off?.close();
  await ctx?.close();
  await db?.drop();
});

const link = (r: Rest, body: Record<string, unknown>) =>
  r('POST', '/customers/{id}/portal-link', { key: platformKey, params: { id: customerId }, body });

describe('hostile embed links', () => {
  const hostile: [string, Record<string, unknown>, string][] = [
    ['a javascript: logo', { embed: true, theme: { logoUrl: 'javascript:alert(document.cookie)' } }, 'theme.logoUrl'],
    ['a data: logo', { embed: true, theme: { logoUrl: 'data:image/svg+xml,<svg onload=alert(1)>' } }, 'theme.logoUrl'],
    ['a plain-http logo', { embed: true, theme: { logoUrl: 'http://app.example.com/logo.png' } }, 'theme.logoUrl'],
    [
      'a logo with credentials',
      { embed: true, theme: { logoUrl: 'https://u:p@app.example.com/logo.png' } },
      'theme.logoUrl',
    ],
    [
      'a colour that breaks out of CSS',
      { embed: true, theme: { accentColor: '#fff;}body{background:url(https://evil.example/x)' } },
      'theme.accentColor',
    ],
    ['a named colour', { embed: true, theme: { accentColor: 'red' } }, 'theme.accentColor'],
    ['a short hex colour', { embed: true, theme: { accentColor: '#f00' } }, 'theme.accentColor'],
    ['an unknown scheme', { embed: true, theme: { colorScheme: 'sepia' } }, 'theme.colorScheme'],
    ['an unknown theme field', { embed: true, theme: { css: 'body{}' } }, 'theme.css'],
    ['a theme on a plain link', { theme: { accentColor: '#0f766e' } }, 'theme'],
  ];
  it.each(hostile)('%s is a 400 naming the field, and nothing is stored', async (_, body, field) => {
    const before = await snapshot(ctx);
    const res = await link(rest, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', field });
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('is refused while PORTAL_FRAME_ANCESTORS names no origin: a 400 saying so', async () => {
    const before = await snapshot(off);
    const res = await link(restOff, { embed: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'bad_request',
      field: 'embed',
      message: expect.stringContaining('PORTAL_FRAME_ANCESTORS'),
    });
    expect(await snapshot(off)).toEqual(before);
    // A plain link is still fine.
    expect((await link(restOff, {})).status).toBe(201);
  });
});

describe('an embed link', () => {
  it('points at the embedded view, is audited with its theme, and signs in to the embedded view only, once', async () => {
    const theme = { accentColor: '#0f766e', logoUrl: 'https://app.example.com/logo.svg', colorScheme: 'dark' };
    const res = await link(rest, { embed: true, readOnly: true, theme });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      url: expect.stringMatching(/^http:\/\/hookrelay\.test\/portal\/embed\?token=/),
      embed: true,
      readOnly: true,
    });

    const audit = await rest('GET', '/audit-log', {
      key: platformKey,
      query: { customerId, action: 'portal_link.created' },
    });
    expect(audit.status).toBe(200);
    expect(audit.body.data[0]).toMatchObject({
      action: 'portal_link.created',
      after: { embed: true, readOnly: true, theme },
    });

    const token = tokenOf(res.body.url);
    // A plain sign-in may not spend it (and does not burn it).
    expect(await consumePortalToken(ctx, token, { embed: false })).toBeNull();
    expect(await consumePortalToken(ctx, token, { embed: true })).toEqual({ customerId, readOnly: true, theme });
    expect(await consumePortalToken(ctx, token, { embed: true })).toBeNull();
  });

  it('a plain link does not sign in to the embedded view, and says embed: false', async () => {
    const res = await link(rest, {});
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      url: expect.stringMatching(/^http:\/\/hookrelay\.test\/portal\?token=/),
      embed: false,
    });
    const token = tokenOf(res.body.url);
    expect(await consumePortalToken(ctx, token, { embed: true })).toBeNull();
    expect(await consumePortalToken(ctx, token)).toMatchObject({ customerId, readOnly: false, theme: null });
    const [row] = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from portal_tokens where embed`);
    expect(row?.n).toBe(1);
  });
});
