import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

/**
 * A local Citus cluster for tests and benchmarks: a coordinator and worker nodes started from this
 * machine's PostgreSQL binaries (with the Citus extension installed), each in a temporary data
 * directory on a free port. PostgreSQL refuses to run as root, so as root the servers run as the
 * `postgres` user. Nothing here is used in production: there, DATABASE_URL points at the
 * coordinator of a cluster installed from Citus's own packages or images (README.md).
 */
export type CitusCluster = {
  /** Admin URL of the coordinator (database `postgres`). */
  coordinatorUrl: string;
  /** Admin URLs of the worker nodes (database `postgres`). */
  workerUrls: string[];
  dataDirs: string[];
  stop(): Promise<void>;
};

export type CitusInstall = { ok: true; bindir: string; version: string } | { ok: false; reason: string };

/**
 * Finds a PostgreSQL installation with Citus: `CITUS_PG_BINDIR` if set, else the newest
 * /usr/lib/postgresql/<major>/bin whose `pg_config --pkglibdir` holds citus.so.
 */
export function findCitus(): CitusInstall {
  const candidates = process.env.CITUS_PG_BINDIR
    ? [process.env.CITUS_PG_BINDIR]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((v) => /^\d+$/.test(v))
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : [];
  for (const bindir of candidates) {
    const pgConfig = path.join(bindir, 'pg_config');
    if (!existsSync(pgConfig) || !existsSync(path.join(bindir, 'postgres'))) continue;
    const libdir = execFileSync(pgConfig, ['--pkglibdir'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(libdir, 'citus.so'))) {
      const version = execFileSync(pgConfig, ['--version'], { encoding: 'utf8' }).trim();
      return { ok: true, bindir, version };
    }
  }
  return {
    ok: false,
    reason: candidates.length
      ? `no citus.so in the pkglibdir of ${candidates.join(', ')}`
      : 'no PostgreSQL server binaries found (set CITUS_PG_BINDIR to the bin directory of a PostgreSQL with Citus)',
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary, as `postgres` when we are root. */
function runPg(bin: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const asPostgres = isRoot ? { uid: Number(idOf('-u')), gid: Number(idOf('-g')) } : {};
  const r = spawnSync(bin, args, {
    encoding: 'utf8',
    ...asPostgres,
    // The servers' own libpq (node-to-node connections) must not look for client certificates in root's home.
    env: { ...process.env, LC_ALL: 'C.UTF-8', HOME: tmpdir() },
  });
  if (r.status !== 0)
    throw new Error(
      `${path.basename(bin)} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout || r.error?.message}`,
    );
}

function idOf(flag: '-u' | '-g'): string {
  return execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `op`, tried up to 5 times, 1 s apart. */
async function retried<T>(op: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await op();
    } catch (err) {
      if (tries >= 5) throw err;
      await sleep(1000);
    }
  }
}

/**
 * Starts a coordinator and `workers` worker nodes (default 2), registers them with each other in
 * the `postgres` database, and returns their URLs. `durable: false` (tests) turns fsync off.
 * `shardCount` sets `citus.shard_count` (how many shards a new distributed table gets; Citus's
 * default is 32; fewer make a per-test database faster to create).
 */
export async function startCitusCluster(
  opts: { workers?: number; durable?: boolean; shardCount?: number; maxConnections?: number } = {},
): Promise<CitusCluster> {
  const found = findCitus();
  if (!found.ok) throw new Error(`Citus is not installed: ${found.reason}`);
  const n = 1 + (opts.workers ?? 2);
  const root = mkdtempSync(path.join(tmpdir(), 'hookrelay-citus-'));
  const isRoot = process.getuid?.() === 0;
  if (isRoot) chownSync(root, Number(idOf('-u')), Number(idOf('-g')));
  const nodes: Array<{ port: number; dir: string }> = [];
  const stopAll = async () => {
    for (const node of nodes) {
      try {
        runPg(path.join(found.bindir, 'pg_ctl'), ['-D', node.dir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < n; i++) {
      const dir = path.join(root, i === 0 ? 'coordinator' : `worker${i}`);
      const port = await freePort();
      nodes.push({ port, dir });
      runPg(path.join(found.bindir, 'initdb'), ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      const settings = [
        `port=${port}`,
        'listen_addresses=127.0.0.1',
        `unix_socket_directories=${root}`,
        "shared_preload_libraries='citus'",
        `max_connections=${opts.maxConnections ?? 300}`,
        `citus.shard_count=${opts.shardCount ?? 32}`,
        // Node-to-node connections over loopback only.
        "citus.node_conninfo='sslmode=disable'",
        ...(opts.durable === false ? ['fsync=off', 'full_page_writes=off', 'synchronous_commit=off'] : []),
      ];
      runPg(path.join(found.bindir, 'pg_ctl'), [
        '-D',
        dir,
        '-l',
        path.join(dir, 'server.log'),
        '-w',
        '-t',
        '60',
        '-o',
        settings.map((s) => `-c ${s}`).join(' '),
        'start',
      ]);
    }
    const urls = nodes.map((node) => `postgres://postgres@127.0.0.1:${node.port}/postgres`);
    await joinCluster(urls[0]!, urls.slice(1));
    return { coordinatorUrl: urls[0]!, workerUrls: urls.slice(1), dataDirs: nodes.map((x) => x.dir), stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Makes database `name` a Citus database on every node: creates it where missing, creates the
 * extension in it on each node, and registers the coordinator and workers in its metadata (Citus
 * keeps node metadata per database). The coordinator is registered too (group 0), so tables left
 * local to it (pg-boss's) can take part in the same transactions as distributed ones.
 */
export async function createCitusDatabase(coordinatorUrl: string, workerUrls: string[], name: string): Promise<string> {
  const all = [coordinatorUrl, ...workerUrls];
  await Promise.all(
    all.map(async (admin) => {
      const sql = postgres(admin, { max: 1, onnotice: () => {} });
      try {
        const [exists] = await sql`select 1 as x from pg_database where datname = ${name}`;
        if (!exists) await sql.unsafe(`create database "${name}"`);
      } finally {
        await sql.end();
      }
    }),
  );
  const inDb = all.map((u) => withDatabase(u, name));
  await joinCluster(inDb[0]!, inDb.slice(1));
  return inDb[0]!;
}

/** Drops database `name` on every node of the cluster. */
export async function dropCitusDatabase(coordinatorUrl: string, workerUrls: string[], name: string): Promise<void> {
  for (const admin of [coordinatorUrl, ...workerUrls]) {
    const sql = postgres(admin, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await sql.end();
    }
  }
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function joinCluster(coordinator: string, workers: string[]): Promise<void> {
  for (const url of [coordinator, ...workers]) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      for (let tries = 0; ; tries++) {
        try {
          await sql`create extension if not exists citus`;
          break;
        } catch (err) {
          if (tries > 20) throw err;
          await sleep(250);
        }
      }
    } finally {
      await sql.end();
    }
  }
  const sql = postgres(coordinator, { max: 1, onnotice: () => {} });
  try {
    const c = new URL(coordinator);
    await retried(() => sql`select citus_set_coordinator_host(${c.hostname}, ${Number(c.port)})`);
    for (const w of workers) {
      const u = new URL(w);
      // Both calls are idempotent. Adding a node opens a connection to it, which a node busy with
      // another database's setup may not accept in time ("failure on connection marked as essential").
      await retried(() => sql`select citus_add_node(${u.hostname}, ${Number(u.port)})`);
    }
  } finally {
    await sql.end();
  }
}
