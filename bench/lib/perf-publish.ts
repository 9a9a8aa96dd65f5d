/** `pnpm bench perf`'s publish API figures: single publishes, the health check under the same load, batches, and broadcast vs customer-scoped. */
import type { CostProbe } from './cost';
import { forDuration } from './harness';
import { DATA, type PerfClient } from './perf-product';

/** Publish API alone, for a customer with no subscriptions (ingest only), with its cost per publish. */
export async function measurePublishApi(client: PerfClient, quiet: { id: string }, probe: CostProbe) {
  const { api, key, publish } = client;
  const ingestFrom = await probe.begin();
  const ingest = await forDuration(10_000, 32, async () => {
    await publish({ type: 'order.created', customerId: quiet.id, data: DATA });
  });
  const publishCost = await probe.end(ingestFrom, ingest.count);
  // The web tier's own ceiling under the same load: a health check is one `select 1`.
  const health = await forDuration(10_000, 32, async () => {
    const res = await api.request({ path: '/api/health', method: 'GET' });
    await res.body.dump();
  });
  // Batch publish: 100 events per request, 8 clients.
  const batchBody = JSON.stringify({
    events: Array.from({ length: 100 }, () => ({ type: 'order.created', customerId: quiet.id, data: DATA })),
  });
  const batched = await forDuration(10_000, 8, async () => {
    const res = await api.request({
      path: '/api/v1/events/batch',
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: batchBody,
    });
    const json = (await res.body.json()) as { results: Array<{ error?: unknown }> };
    if (res.statusCode !== 202 || json.results.some((r) => r.error))
      throw new Error(`batch publish answered ${res.statusCode}: ${JSON.stringify(json).slice(0, 300)}`);
  });
  const batchEventsPerSecond = batched.perSecond * 100;
  return { ingest, publishCost, health, batched, batchEventsPerSecond };
}

/**
 * Broadcast vs customer-scoped publishing, same 32 clients, same 20 customers × 10 subscriptions:
 * a broadcast is accepted with a fan-out job (the worker fans it out), a customer's event with
 * its 10 deliveries inline.
 */
export async function measureScopes(client: PerfClient, nextCustomer: () => string | undefined) {
  const { publish } = client;
  const scoped = await forDuration(5_000, 32, async () => {
    await publish({ type: 'order.created', customerId: nextCustomer(), data: DATA });
  });
  const broadcast = await forDuration(5_000, 32, async () => {
    await publish({ type: 'order.created', data: DATA, broadcast: true });
  });
  return { scoped, broadcast };
}
