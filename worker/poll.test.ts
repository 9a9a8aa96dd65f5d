import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Job } from 'pg-boss';
import type { Boss } from '../server/queue/boss';
import { createLogger } from '../server/log';
import { pollQueue } from './poll';

const job = (id: string) => ({ id, name: 'deliver', data: {}, retryCount: 0 }) as unknown as Job<unknown>;
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

afterEach(() => {
  vi.useRealTimers();
});

/** A deliver loop over a scripted fetch (no database): what it asks for, and what it does with the answer. */
function loop(
  opts: { concurrency: number; batchSize: number },
  fetchJobs: (batchSize: number) => Promise<Job<unknown>[]>,
  handle: () => Promise<void>,
) {
  return pollQueue(
    {} as Boss,
    'deliver',
    { ...opts, pollMs: 1000, log: createLogger('poll-test'), fetchJobs: (options) => fetchJobs(options.batchSize) },
    handle,
  );
}

describe('pollQueue', () => {
  it('fetches again at once after a short batch, and naps only when the queue gave nothing', async () => {
    vi.useFakeTimers();
    const batches = [[job('a')], [job('b'), job('c')], []];
    const asked: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const poll = loop(
      { concurrency: 10, batchSize: 5 },
      async (batchSize) => {
        asked.push(batchSize);
        return batches.shift() ?? [];
      },
      () => held, // jobs stay in hand: no completion wakes the loop
    );
    await settle();
    // A batch of 1 (asked for 5), then of 2, then none: three fetches before the first nap, each
    // asking for what is free. (Napping after a short batch would have stopped at one.)
    expect(asked).toEqual([5, 5, 5]);
    expect(poll.inFlight()).toBe(3);
    // The nap ends after pollMs, and the loop asks again: 7 slots are free, a batch is at most 5.
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toEqual([5, 5, 5, 5]);
    release();
    await settle();
    const stopping = poll.stop(0);
    await vi.runAllTimersAsync();
    expect(await stopping).toBe(0);
  });

  it('never holds more jobs than its concurrency', async () => {
    vi.useFakeTimers();
    const asked: number[] = [];
    let n = 0;
    const poll = loop(
      { concurrency: 4, batchSize: 3 },
      async (batchSize) => {
        asked.push(batchSize);
        return Array.from({ length: Math.min(2, batchSize) }, () => job(`j${n++}`));
      },
      () => new Promise<void>(() => {}),
    );
    await settle();
    expect(poll.inFlight()).toBe(4);
    expect(asked).toEqual([3, 2]);
  });
});
