import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { api, e2eEnv, seedCustomer } from './support/api';

/** The operator's endpoints on the production build: liveness, readiness, Prometheus metrics. */
const { metricsToken } = JSON.parse(readFileSync('test-results/e2e-env.json', 'utf8')) as { metricsToken: string };

test('health and readiness report the database, the queue schema and a live worker', async ({ request }) => {
  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, checks: { database: { ok: true } } });

  await expect.poll(async () => (await request.get('/api/ready')).status(), { timeout: 30_000 }).toBe(200);
  const ready = (await (await request.get('/api/ready')).json()) as {
    ok: boolean;
    checks: Record<string, { ok: boolean }>;
  };
  expect(ready.ok).toBe(true);
  expect(ready).toEqual({ ok: true, checks: { database: { ok: true }, queue: { ok: true }, workers: { ok: true } } });
  expect(Object.keys(ready.checks).sort()).toEqual(['database', 'queue', 'workers']);
});

test('metrics need the token and expose web counters and database gauges', async ({ request }) => {
  expect((await request.get('/api/metrics')).status()).toBe(401);
  expect(
    (await request.get('/api/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } })).status(),
  ).toBe(401);

  const { customerId } = await seedCustomer('Metrics');
  await api('POST', '/events', { customerId, type: 'metrics.probe', data: {} });
  const missing = await request.get('/api/v1/subscriptions/sub_00000000000000000000000000', {
    headers: { authorization: `Bearer ${e2eEnv().platformKey}` },
  });
  expect(missing.status()).toBe(404);

  const res = await request.get('/api/metrics', { headers: { authorization: `Bearer ${metricsToken}` } });
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('text/plain');
  const text = await res.text();
  expect(text).toMatch(/^hookrelay_database_up 1$/m);
  expect(text).toMatch(/^hookrelay_events_accepted_total\{scope="customer"\} [1-9]\d*$/m);
  expect(text).toMatch(/^hookrelay_api_errors_total\{code="not_found"\} [1-9]\d*$/m);
  expect(text).toMatch(/^hookrelay_workers\{state="running"\} [1-9]\d*$/m);
  expect(text).toMatch(/^hookrelay_deliveries\{state="dead"\} \d+$/m);
  expect(text).toMatch(/^hookrelay_queue_jobs\{queue="deliver",state="ready"\} \d+$/m);
  expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
});
