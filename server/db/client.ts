import postgres, { type Sql } from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Db as IDatabase } from 'pg-boss';
import * as schema from '../../drizzle/schema';
import { parseJsonExact } from '../json';

type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** A Drizzle transaction handle: what a function takes when it must run inside the caller's transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or a transaction: for functions that may run in either. */
export type Queryable = Db | Tx;

export type Database = { db: Db; sql: Sql; close(): Promise<void> };

/**
 * `acquireTimeoutMs`: how long a query or transaction may wait for one of the pool's `max`
 * connections before it fails with a PoolTimeoutError, having sent nothing (see `boundedWait`).
 * Without it a query waits as long as it takes (postgres.js queues without bound).
 */
export function createDatabase(
  url: string,
  opts: { max?: number; applicationName?: string; acquireTimeoutMs?: number } = {},
): Database {
  const max = opts.max ?? 10;
  const pool = postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: opts.applicationName ?? 'hookrelay' },
    // json and jsonb read back with numbers exact (a filter on `9007199254740993` stays that number).
    types: {
      exactJson: { to: 3802, from: [114, 3802], serialize: (x: unknown) => JSON.stringify(x), parse: parseJsonExact },
    },
  });
  const sql = opts.acquireTimeoutMs ? boundedWait(pool, max, opts.acquireTimeoutMs) : pool;
  const db = drizzle({ client: sql, schema });
  return { db, sql, close: () => pool.end({ timeout: 5 }) };
}

/**
 * Every connection of the pool stayed taken for the whole acquire timeout (slow queries, a lock
 * held elsewhere, more load than the pool serves). The query was never sent: nothing happened.
 * The API answers it with a 503 and Retry-After (server/api/errors.ts).
 */
export class PoolTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`no database connection came free within ${waitedMs} ms`);
    this.name = 'PoolTimeoutError';
  }
}

type PendingQuery = Promise<unknown> & { handler: (q: PendingQuery) => void; reject(err: Error): void };
const isQuery = (x: unknown): x is PendingQuery =>
  x instanceof Promise && typeof (x as Partial<PendingQuery>).handler === 'function';

/**
 * The pool with a bounded wait for a connection. postgres.js queues a query that finds every
 * connection taken for as long as it takes; here each top-level query and transaction first takes
 * one of `max` permits, waiting at most `timeoutMs`, and gives it back when it settles. Holding a
 * permit means a connection is free for it, so queueing happens here, where it can time out before
 * anything is sent. A query is lazy (it runs when awaited): its handler, which hands it to the pool,
 * is wrapped to take the permit first. Statements inside a transaction run on its connection and
 * take none; fragments (`sql` inside another query) are never run and take none either.
 */
function boundedWait(pool: Sql, max: number, timeoutMs: number): Sql {
  let inUse = 0;
  const waiting: Array<{ go(): void; timer: NodeJS.Timeout }> = [];
  const acquire = () =>
    new Promise<void>((resolve, reject) => {
      if (inUse < max) {
        inUse++;
        return resolve();
      }
      const w = {
        go: () => {
          clearTimeout(w.timer);
          resolve();
        },
        timer: setTimeout(() => {
          waiting.splice(waiting.indexOf(w), 1);
          reject(new PoolTimeoutError(timeoutMs));
        }, timeoutMs),
      };
      waiting.push(w);
    });
  const release = () => {
    const next = waiting.shift();
    if (next)
      next.go(); // the permit passes on
    else inUse--;
  };
  const gate = <T>(q: T): T => {
    if (!isQuery(q)) return q;
    const send = q.handler;
    q.handler = (query) => {
      acquire().then(
        () => {
          query.then(release, release);
          send(query);
        },
        (err: PoolTimeoutError) => query.reject(err),
      );
    };
    return q;
  };
  return new Proxy(pool, {
    apply: (target, thisArg, args) => gate(Reflect.apply(target, thisArg, args) as unknown),
    get(target, prop, receiver) {
      if (prop === 'unsafe') return (...args: Parameters<Sql['unsafe']>) => gate(target.unsafe(...args));
      if (prop === 'begin') {
        return async (...args: unknown[]) => {
          await acquire();
          try {
            return await (target.begin as (...a: unknown[]) => Promise<unknown>)(...args);
          } finally {
            release();
          }
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** The raw postgres.js handle behind a Drizzle database or transaction (for pg-boss and hot-path SQL). */
export function rawClient(q: Queryable): Sql {
  return (q as unknown as { session: { client: Sql } }).session.client;
}

/**
 * pg-boss's database adapter over a Drizzle transaction, so jobs sent or completed with it commit
 * or roll back together with our own rows (the outbox guarantee).
 *
 * Its statements are prepared (once per connection): postgres.js sends a statement that is not
 * prepared and has parameters in two round trips (parse and describe, then bind and execute), and
 * these are the hottest statements of the delivery path (a fetch, a job insert, a completion).
 * pg-boss writes its queue's name into the text and passes the rest as parameters, so each
 * connection prepares a handful of texts, not one per call.
 */
export function bossDb(q: Queryable): IDatabase {
  const client = rawClient(q);
  return {
    executeSql: async (text, values) => ({
      rows: await client.unsafe(text, (values ?? []) as never[], { prepare: true }),
    }),
  };
}
