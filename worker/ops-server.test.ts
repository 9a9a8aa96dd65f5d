import { describe, expect, it } from 'vitest';
import { createLogger } from '../server/log';
import { startOpsServer, type OpsServerOptions } from './ops-server';
import type { RunningWorker } from './worker';

const worker: RunningWorker = {
  identity: { id: 'wrk_test' } as RunningWorker['identity'],
  inFlight: () => ({ deliveries: 3 }),
  lastHeartbeatAt: () => new Date(),
  stopping: () => false,
  stop: () => Promise.resolve(0),
};
const TOKEN = 'ops-token-0123456789abcdef';

async function withServer(
  opts: Omit<OpsServerOptions, 'port'>,
  fn: (get: (path: string, token?: string) => Promise<Response>) => Promise<void>,
) {
  const ops = await startOpsServer(worker, { port: 0, ...opts }, createLogger('test'));
  try {
    await fn((path, token) =>
      fetch(`http://127.0.0.1:${ops.port}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
    );
  } finally {
    await ops.close();
  }
}

describe("the worker's ops server", () => {
  it('on loopback: /metrics and the full /health for anyone on this machine', async () => {
    await withServer({ host: '127.0.0.1' }, async (get) => {
      expect((await get('/metrics')).status).toBe(200);
      expect(await (await get('/health')).json()).toMatchObject({
        ok: true,
        workerId: 'wrk_test',
        inFlight: { deliveries: 3 },
      });
    });
  });

  it('on another address: /metrics needs METRICS_TOKEN, /health without it says only ok', async () => {
    await withServer({ host: '0.0.0.0', token: TOKEN }, async (get) => {
      expect((await get('/metrics')).status).toBe(401);
      expect((await get('/metrics', 'wrong-token-0123456789abcdef')).status).toBe(401);
      expect((await get('/metrics', TOKEN)).status).toBe(200);
      expect(await (await get('/health')).json()).toEqual({ ok: true });
      expect(await (await get('/health', TOKEN)).json()).toMatchObject({
        ok: true,
        workerId: 'wrk_test',
        pid: process.pid,
      });
    });
  });

  it('refuses to listen beyond loopback without METRICS_TOKEN', async () => {
    await expect(startOpsServer(worker, { port: 0, host: '0.0.0.0' }, createLogger('test'))).rejects.toThrow(
      /WORKER_METRICS_HOST=0\.0\.0\.0 .*METRICS_TOKEN/,
    );
  });
});
