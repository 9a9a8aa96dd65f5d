import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestContext, type TestCtx } from '../../tests/support/context';
import { checkHealth, checkReady } from './health';

/**
 * /api/health and /api/ready are public: they say which check holds, never why one does not (an
 * error message names hosts, users and versions; a worker count describes the deployment).
 */
let ctx: TestCtx;

beforeAll(async () => {
  ctx = await startTestContext('health_checks');
});

afterAll(() => ctx?.close());

describe('health and readiness answers', () => {
  it('name each check and whether it holds, nothing else', async () => {
    expect(await checkHealth(async () => ctx)).toEqual({ ok: true, checks: { database: { ok: true } } });
    // No worker has beaten in this database: not ready, and the answer does not say why.
    expect(await checkReady(async () => ctx)).toEqual({
      ok: false,
      checks: { database: { ok: true }, queue: { ok: true }, workers: { ok: false } },
    });
  });

  it('carry no error message when the database cannot be reached', async () => {
    const unreachable = () =>
      Promise.reject(new Error('connect ECONNREFUSED 10.9.8.7:5432 (db-primary.internal, PostgreSQL 17.2)'));
    for (const answer of [await checkHealth(unreachable), await checkReady(unreachable)]) {
      expect(answer).toEqual({ ok: false, checks: { database: { ok: false } } });
      expect(JSON.stringify(answer)).not.toMatch(/ECONNREFUSED|10\.9\.8\.7|internal|PostgreSQL/);
    }
  });
});
