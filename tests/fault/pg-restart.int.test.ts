import { randomBytes, randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createDatabase, type Database } from '../../server/db/client';
import { startEmbeddedPostgres, type Embedded } from '../../server/db/embedded';
import { migrateDatabase } from '../../server/migrate';
import { platformScope, type Ctx } from '../../server/domain/context';
import { keyring } from '../../server/domain/crypto';
import { createCustomer } from '../../server/domain/tenants/customers';
import { publishEvent } from '../../server/domain/events/publish';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { createLogger } from '../../server/log';
import { createBoss, type Boss } from '../../server/queue/boss';
import { waitForAllReceived, waitForAllSettled } from '../support/fault';
import { startReceiver } from '../support/receiver';
import { spawnWorker, stopWorker, type WorkerProcess } from '../support/worker-process';
import { settingsFromEnv } from '../../server/settings';

/**
 * Requirement 1: a restart of PostgreSQL loses nothing that was accepted. A PostgreSQL of this
 * file's own (embedded, on a random port) is stopped and started again while events are published
 * continuously and a real worker process delivers them. Every publish that returned must reach the
 * receiver; publishes that failed while the server was down were never accepted. Neither the
 * publisher (postgres.js, pg-boss) nor the worker is restarted: they must recover by themselves.
 */
const dir = `.data/fault-pg-${randomBytes(4).toString('hex')}`;
let port = 0;
let pg: Embedded | undefined;
let database: Database | undefined;
let boss: Boss | undefined;
let worker: WorkerProcess | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

const start = () => startEmbeddedPostgres({ dir, port, database: 'hookrelay' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port nothing listens on now (55000–55999 lie in Linux's ephemeral range: a random pick may be taken). */
async function freePort(): Promise<number> {
  for (;;) {
    const candidate = randomInt(55000, 56000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(candidate, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
}

beforeAll(async () => {
  port = await freePort();
  pg = await start();
  await migrateDatabase(pg.url);
  receiver = await startReceiver(() => ({ status: 200, delayMs: 50 }));
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await worker?.exited;
  await receiver?.close();
  await boss?.stop({ graceful: false, close: true }).catch(() => {});
  await database?.close().catch(() => {});
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('PostgreSQL restart under load', () => {
  it('loses nothing that was accepted', async () => {
    const url = pg!.url;
    // The publishing side, as the web process has it: its own postgres.js pool and a sending-only pg-boss.
    database = createDatabase(url, { max: 10, applicationName: 'fault-publisher' });
    boss = createBoss(url, { role: 'web' });
    await boss.start();
    const ctx: Ctx = {
      db: database.db,
      boss,
      keys: keyring('test-secret-key-0123456789abcdef'),
      log: createLogger('fault-publisher'),
      now: () => new Date(),
      random: Math.random,
      // The environment's configuration (server/runtime.ts), with this test's time scale.
      config: { ...settingsFromEnv().config, allowPrivateTargets: true, retryTimeScale: 0.01, replayMinIntervalMs: 0 },
    };
    const customer = await createCustomer(ctx, platformScope, { name: 'Restart' });
    const { secret } = await createSubscription(ctx, platformScope, {
      customerId: customer.id,
      url: `${receiver!.url}/hook`,
      eventTypes: ['*'],
    });

    worker = spawnWorker(url, { RETRY_TIME_SCALE: '0.01' });
    await worker.ready;

    // Publish continuously (one at a time, as fast as they are accepted) until told to stop.
    const accepted: string[] = [];
    let refused = 0;
    let publishing = true;
    const publisher = (async () => {
      for (let n = 0; publishing; n++) {
        try {
          const r = await publishEvent(ctx, platformScope, {
            type: 'restart.test',
            data: { n },
            customerId: customer.id,
          });
          accepted.push(r.id);
        } catch {
          refused++; // the database is down: not accepted, the caller would retry
          await sleep(50);
        }
        await sleep(5);
      }
    })();

    await expect.poll(() => accepted.length, { timeout: 30_000 }).toBeGreaterThan(50);
    const beforeStop = accepted.length;
    await pg!.stop(); // fast shutdown: every connection is terminated
    await sleep(2000);
    pg = await start();
    await expect.poll(() => accepted.length, { timeout: 60_000 }).toBeGreaterThan(beforeStop + 50);
    publishing = false;
    await publisher;

    // Everything accepted reaches the receiver, and every delivery ends succeeded.
    await waitForAllReceived(receiver!, accepted, 90_000);
    await waitForAllSettled(ctx);

    const ids = new Set(accepted);
    const seen = new Set<string>();
    const wh = new Webhook(secret);
    for (const r of receiver!.received) {
      const id = r.headers['webhook-id']!;
      seen.add(id);
      expect((wh.verify(r.body, r.headers) as { id: string }).id).toBe(id);
    }
    const extra = [...seen].filter((id) => !ids.has(id)).length; // committed, but the publisher saw the connection drop
    const duplicates = receiver!.received.length - seen.size;
    console.info(
      `PostgreSQL restart: ${accepted.length} accepted (${beforeStop} before the stop), ${refused} refused while down, ` +
        `${seen.size} delivered (${extra} of them not acknowledged to the publisher), ${duplicates} duplicates`,
    );
    expect(refused).toBeGreaterThan(0);
    expect(worker.alive()).toBe(true);
    expect(await stopWorker(worker)).toBe(0);
  });
});
