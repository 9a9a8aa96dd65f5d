import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as plain, type Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { api, createSubscription, e2eEnv, receiver, seedCustomer } from './support/api';

/**
 * The embedded portal in a real browser, framed by another site: the platform's page on
 * http://localhost:<E2E_PORT + 10000> (the e2e server's PORTAL_FRAME_ANCESTORS), Hookrelay on
 * http://127.0.0.1:<E2E_PORT>. Two hosts, so two sites: the frame is third-party, and the
 * dashboard's SameSite=Lax session would not reach it; the embed session must.
 */
const allowedPort = Number(process.env.E2E_PORT ?? 3100) + 10000;

type Host = { origin: string; close(): Promise<void> };

/** The platform's page: an iframe of `src`, sized by the height messages from Hookrelay's origin. */
async function hostPage(port: number, src: string): Promise<Host> {
  const appOrigin = new URL(e2eEnv().baseUrl).origin;
  const html = `<!doctype html><html><head><title>Host app</title></head><body style="margin:0">
<h1>Platform app</h1>
<iframe id="hookrelay" title="Webhooks" src="${src}" style="width:100%;border:0;height:150px" onload="window.frameLoaded = true"></iframe>
<script>
  window.heights = [];
  window.addEventListener('message', function (e) {
    if (e.origin !== ${JSON.stringify(appOrigin)} || !e.data || e.data.type !== 'hookrelay:resize') return;
    window.heights.push(e.data.height);
    document.getElementById('hookrelay').style.height = e.data.height + 'px';
  });
</script></body></html>`;
  const servers: Server[] = [];
  // "localhost" may resolve to either loopback address: answer on both, on one port.
  let actual = port;
  for (const host of ['127.0.0.1', '::1']) {
    const server = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(actual, host, () => resolve(true));
    });
    if (!ok) continue;
    servers.push(server);
    actual = (server.address() as AddressInfo).port;
  }
  if (servers.length === 0) throw new Error(`cannot listen on port ${port}`);
  return {
    origin: `http://localhost:${actual}`,
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))).then(() => undefined),
  };
}

const embedFrame = (page: Page) => page.frameLocator('#hookrelay');

/**
 * Opens the platform's page framing the embed link `url` in `page`, and the dashboard in the frame
 * with its button (opening the link spent nothing; the button signs in). `close()` stops the page's server.
 */
async function openEmbed(page: Page, url: string) {
  const host = await hostPage(allowedPort, url);
  try {
    await page.goto(host.origin);
    const frame = embedFrame(page);
    await frame.getByRole('button', { name: 'Continue to dashboard' }).click();
    return { frame, close: () => host.close() };
  } catch (e) {
    await host.close();
    throw e;
  }
}

test("an embed link in another site's iframe: the dashboard without its navigation, themed, sizing its frame", async ({
  page,
  context,
}) => {
  const { customerId } = await seedCustomer('Embed');
  const rcv = await receiver();
  const sub = await createSubscription(customerId, {
    url: rcv.url,
    eventTypes: ['order.*'],
    description: 'Orders endpoint',
  });
  const link = await api<{ url: string; embed: boolean }>('POST', `/customers/${customerId}/portal-link`, {
    embed: true,
    theme: { accentColor: '#0f766e', colorScheme: 'dark', logoUrl: 'https://logo.invalid/platform.svg' },
  });
  expect(link.embed).toBe(true);
  expect(link.url).toMatch(/\/portal\/embed\?token=/);
  const embed = await openEmbed(page, link.url);
  try {
    const { frame } = embed;
    await expect(frame.getByRole('heading', { name: 'Overview' })).toBeVisible();
    // The dashboard's data came through the API with the embed session (the subscription's endpoint).
    await expect(frame.getByText(sub.url).first()).toBeVisible();
    await expect(frame.getByTestId('embed-view')).toBeVisible();
    await expect(frame.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    await expect(frame.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
    await expect(frame.getByTestId('embed-logo')).toHaveAttribute('src', 'https://logo.invalid/platform.svg');

    // The theme: the accent in place of indigo, the dark scheme.
    const inner = page.frames().find((f) => f.url().startsWith(e2eEnv().baseUrl))!;
    expect(
      await inner.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--color-indigo-600').trim(),
      ),
    ).toBe('#0f766e');
    expect(await inner.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);

    // The frame told its parent its height, and the parent sized the iframe to it.
    await page.waitForFunction(() => (window as unknown as { heights: number[] }).heights.length > 0);
    const last = await page.evaluate(() => (window as unknown as { heights: number[] }).heights.at(-1)!);
    expect(last).toBeGreaterThan(150);
    expect(await page.locator('#hookrelay').evaluate((el) => el.getBoundingClientRect().height)).toBe(last);

    // The embed session is a partitioned SameSite=None cookie (kept under the framing site), ...
    const cookie = (await context.cookies()).find((c) => c.name === 'hookrelay.embed-session');
    expect(cookie).toMatchObject({ sameSite: 'None', secure: true, httpOnly: true });
    // A SameSite=None cookie travels with other sites' requests too: the dashboard API honours it
    // only from Hookrelay's own pages.
    const listSubscriptions = (site: string) =>
      fetch(`${e2eEnv().baseUrl}/api/trpc/subscriptions.list?input=${encodeURIComponent('{}')}`, {
        headers: { cookie: `${cookie!.name}=${cookie!.value}`, 'sec-fetch-site': site },
      });
    expect((await listSubscriptions('same-origin')).status).toBe(200);
    expect((await listSubscriptions('cross-site')).status).toBe(401);
    expect((await listSubscriptions('same-site')).status).toBe(401);
    // ... so Hookrelay opened as the top-level page does not get it: no session there.
    const top = await context.newPage();
    await top.goto('/dashboard');
    await expect(top).toHaveURL(/\/login/);
    await top.close();
  } finally {
    await embed.close();
    await rcv.close();
  }
});

test('a read-only embed link keeps hiding actions', async ({ page }) => {
  const { customerId } = await seedCustomer('EmbedRO');
  const link = await api<{ url: string }>('POST', `/customers/${customerId}/portal-link`, {
    embed: true,
    readOnly: true,
  });
  const embed = await openEmbed(page, link.url);
  try {
    const { frame } = embed;
    await expect(frame.getByTestId('read-only-badge')).toBeVisible();
    await frame
      .getByRole('link', { name: /subscriptions/i })
      .first()
      .click();
    await expect(frame.getByRole('heading', { name: 'Subscriptions' })).toBeVisible();
    await expect(frame.getByRole('button', { name: 'New subscription' })).toHaveCount(0);
  } finally {
    await embed.close();
  }
});

// The blocked frame logs a CSP violation to the console on purpose: no console-error fixture here.
plain(
  'a page of an origin not in PORTAL_FRAME_ANCESTORS cannot frame the embed link, nor anyone a plain link',
  async ({ page, request }) => {
    const { customerId } = await seedCustomer('EmbedHostile');
    const link = await api<{ url: string }>('POST', `/customers/${customerId}/portal-link`, { embed: true });
    const plainLink = await api<{ url: string }>('POST', `/customers/${customerId}/portal-link`, {});

    // The headers: the embed page names only the allowed origin; other pages keep 'none'.
    const policy = (await request.get(link.url)).headers()['content-security-policy']!;
    expect(policy).toContain(`frame-ancestors http://localhost:${allowedPort}`);
    for (const path of [new URL(plainLink.url).pathname + new URL(plainLink.url).search, '/login', '/dashboard']) {
      expect((await request.get(path, { maxRedirects: 0 })).headers()['content-security-policy'], path).toContain(
        "frame-ancestors 'none'",
      );
    }

    for (const [port, src] of [
      [0, link.url], // another origin: any free port of localhost is not the listed one
      [allowedPort, plainLink.url], // the listed origin, but a link that is not an embed link
    ] as const) {
      const host = await hostPage(port, src);
      try {
        await page.goto(host.origin);
        // The browser refuses the frame: it never shows the page, its button or its token form.
        await page.waitForFunction(() => (window as unknown as { frameLoaded?: boolean }).frameLoaded === true);
        const child = page.mainFrame().childFrames()[0]!;
        expect(child.url(), src).not.toContain('/portal');
        await expect(embedFrame(page).getByRole('button', { name: 'Continue to dashboard' })).toHaveCount(0);
      } finally {
        await host.close();
      }
    }
  },
);
