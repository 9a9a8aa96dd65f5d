import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMBED_SESSION_COOKIE } from './embed-session';

/**
 * The Content-Security-Policy the proxy gives each page (proxy.ts): the embedded view's pages name
 * PORTAL_FRAME_ANCESTORS as their frame-ancestors; every other page, and the dashboard under its
 * own session, keeps 'none'.
 */
const allowed = ['https://app.example.com', 'http://localhost:4000'];
let proxy: (req: NextRequest) => Response;

beforeAll(async () => {
  // The environment is parsed once, on first use: set before the proxy reads it.
  process.env.PORTAL_FRAME_ANCESTORS = ' https://app.example.com,http://localhost:4000 ';
  ({ proxy } = await import('../../proxy'));
});

function frameAncestors(path: string, cookies: string[] = []): string {
  const req = new NextRequest(new URL(path, 'http://127.0.0.1:3000'), {
    headers: cookies.length ? { cookie: cookies.map((c) => `${c}=x`).join('; ') } : {},
  });
  const policy = proxy(req).headers.get('content-security-policy') ?? '';
  return /frame-ancestors ([^;]+)/.exec(policy)?.[1] ?? '';
}

describe('frame-ancestors', () => {
  it('the embed link page names the allowed origins, and only it admits https images (the logo)', () => {
    expect(frameAncestors('/portal/embed?token=abc')).toBe(allowed.join(' '));
    const req = new NextRequest(new URL('/portal/embed', 'http://127.0.0.1:3000'));
    expect(proxy(req).headers.get('content-security-policy')).toContain("img-src 'self' data: blob: https:");
  });

  it('the dashboard under an embed session names them; under its own session, or none, it is never framed', () => {
    expect(frameAncestors('/dashboard', [EMBED_SESSION_COOKIE])).toBe(allowed.join(' '));
    expect(frameAncestors('/dashboard/events', [`${EMBED_SESSION_COOKIE}.0`])).toBe(allowed.join(' '));
    expect(frameAncestors('/dashboard')).toBe("'none'");
    expect(frameAncestors('/dashboard', ['authjs.session-token'])).toBe("'none'");
    // Both cookies: the dashboard's own session wins, and that page is not frameable.
    expect(frameAncestors('/dashboard', ['authjs.session-token', EMBED_SESSION_COOKIE])).toBe("'none'");
    expect(frameAncestors('/dashboard', ['__Secure-authjs.session-token', EMBED_SESSION_COOKIE])).toBe("'none'");
  });

  it('every other page keeps none, an embed cookie or not', () => {
    for (const path of ['/', '/login', '/portal', '/portal?token=abc', '/portal/embedded', '/dashboards']) {
      expect(frameAncestors(path), path).toBe("'none'");
      expect(frameAncestors(path, [EMBED_SESSION_COOKIE]), path).toBe("'none'");
    }
    const policy = proxy(new NextRequest(new URL('/login', 'http://127.0.0.1:3000'))).headers.get(
      'content-security-policy',
    );
    expect(policy).toContain("img-src 'self' data: blob:;");
  });
});
