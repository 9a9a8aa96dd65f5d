/**
 * The rendered API reference over /api/v1/openapi.json. The renderer (Scalar's standalone bundle, the
 * exact version pinned in package.json) is served by us from /api/docs/scalar.js: no CDN, so the page
 * works offline and runs no third-party code on the dashboard's origin. The page has no inline script
 * (the bundle mounts itself on `#api-reference` and reads its configuration from data attributes),
 * so the strict Content-Security-Policy of /api (next.config.ts) holds for it too.
 */
const configuration = {
  // Default fonts come from Scalar's font host; the dashboard's own font stack is used instead.
  withDefaultFonts: false,
  hideClientButton: true,
  telemetry: false,
  // Scalar's hosted services (AI agent, MCP, SDK generation, the localhost toolbar) are not ours:
  // the page's CSP would block their requests anyway.
  showDeveloperTools: 'never',
  agent: { disabled: true },
  mcp: { disabled: true },
};

const escapeAttribute = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Hookrelay API reference</title>
  </head>
  <body>
    <script id="api-reference" type="application/json" data-url="/api/v1/openapi.json" data-configuration="${escapeAttribute(JSON.stringify(configuration))}"></script>
    <script src="/api/docs/scalar.js"></script>
  </body>
</html>
`;

export function GET(): Response {
  return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}
