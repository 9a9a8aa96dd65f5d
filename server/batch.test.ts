import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batcher } from './batch';

/** A `run` whose calls stay open until the test settles them, recording each batch it was given. */
function controlledRun() {
  const calls: Array<{ items: number[]; settle(fail?: Error): void }> = [];
  let running = 0;
  let peak = 0;
  const run = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      running++;
      peak = Math.max(peak, running);
      calls.push({
        items,
        settle: (fail) => {
          running--;
          if (fail) reject(fail);
          else resolve(items.map((i) => `r${i}`));
        },
      });
    });
  return { run, calls, peak: () => peak };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batcher', () => {
  it('runs the calls made within the wait as one batch, each caller getting its own result', async () => {
    const c = controlledRun();
    const call = batcher(c.run, { maxSize: 10, maxWaitMs: 2 });
    const results = [call(1), call(2), call(3)];
    expect(c.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2);
    expect(c.calls.map((x) => x.items)).toEqual([[1, 2, 3]]);
    c.calls[0]!.settle();
    expect(await Promise.all(results)).toEqual(['r1', 'r2', 'r3']);
  });

  it('starts a full batch at once and splits what is over the size', async () => {
    const c = controlledRun();
    const call = batcher(c.run, { maxSize: 2, maxWaitMs: 50 });
    const results = [1, 2, 3].map((i) => call(i));
    expect(c.calls.map((x) => x.items)).toEqual([[1, 2]]);
    await vi.advanceTimersByTimeAsync(50);
    expect(c.calls.map((x) => x.items)).toEqual([[1, 2], [3]]);
    c.calls.forEach((x) => x.settle());
    expect(await Promise.all(results)).toEqual(['r1', 'r2', 'r3']);
  });

  it('a failed batch fails its own callers only', async () => {
    const c = controlledRun();
    const call = batcher(c.run, { maxSize: 10, maxWaitMs: 1 });
    const first = call(1);
    await vi.advanceTimersByTimeAsync(1);
    const second = call(2);
    await vi.advanceTimersByTimeAsync(1);
    c.calls[0]!.settle(new Error('boom'));
    c.calls[1]!.settle();
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('r2');
  });

  it('without a limit, a batch starts every wait even while earlier ones run', async () => {
    const c = controlledRun();
    const call = batcher(c.run, { maxSize: 10, maxWaitMs: 2 });
    for (let i = 0; i < 5; i++) {
      void call(i);
      await vi.advanceTimersByTimeAsync(2);
    }
    expect(c.calls).toHaveLength(5);
    expect(c.peak()).toBe(5);
  });

  it('with maxInFlight, calls made while the runs are busy gather into one batch that starts when a run ends', async () => {
    const c = controlledRun();
    const call = batcher(c.run, { maxSize: 10, maxWaitMs: 2, maxInFlight: 1 });
    const results = [call(0)];
    await vi.advanceTimersByTimeAsync(2);
    expect(c.calls.map((x) => x.items)).toEqual([[0]]);
    // Five more arrive, a wait apart, while the first batch is still running: none starts.
    for (let i = 1; i <= 5; i++) {
      results.push(call(i));
      await vi.advanceTimersByTimeAsync(2);
    }
    expect(c.calls).toHaveLength(1);
    c.calls[0]!.settle();
    await vi.advanceTimersByTimeAsync(0);
    // Their wait is over: they go together, as soon as the slot is free.
    expect(c.calls.map((x) => x.items)).toEqual([[0], [1, 2, 3, 4, 5]]);
    expect(c.peak()).toBe(1);
    c.calls[1]!.settle();
    expect(await Promise.all(results)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('with maxInFlight, a batch that gathered less than its wait still waits it out after the slot frees', async () => {
    const c = controlledRun();
    const call = batcher(c.run, { maxSize: 10, maxWaitMs: 5, maxInFlight: 1 });
    void call(0);
    await vi.advanceTimersByTimeAsync(5);
    await vi.advanceTimersByTimeAsync(4);
    void call(1);
    c.calls[0]!.settle();
    await vi.advanceTimersByTimeAsync(1);
    expect(c.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4);
    expect(c.calls.map((x) => x.items)).toEqual([[0], [1]]);
  });

  it('with maxInFlight, more than a batch gathered runs as several, never more at once than the limit', async () => {
    const c = controlledRun();
    const call = batcher(c.run, { maxSize: 3, maxWaitMs: 1, maxInFlight: 2 });
    const results = Array.from({ length: 12 }, (_, i) => call(i));
    await vi.advanceTimersByTimeAsync(1);
    expect(c.calls.map((x) => x.items)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    while (c.calls.some((x) => x.items.length && !('done' in x))) {
      const next = c.calls.find((x) => !('done' in x))!;
      Object.assign(next, { done: true });
      next.settle();
      await vi.advanceTimersByTimeAsync(1);
      expect(c.peak()).toBeLessThanOrEqual(2);
    }
    expect(c.calls.map((x) => x.items).flat()).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(await Promise.all(results)).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`));
  });
});

describe('batcher with stallMs', () => {
  it('a run stuck past stallMs stops counting: the next batch starts without it', async () => {
    const c = controlledRun();
    const call = batcher(c.run, { maxSize: 10, maxWaitMs: 2, maxInFlight: 1, stallMs: 100 });
    const stuck = call(0);
    await vi.advanceTimersByTimeAsync(2);
    const next = call(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(c.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(c.calls.map((x) => x.items)).toEqual([[0], [1]]);
    c.calls[1]!.settle();
    await expect(next).resolves.toBe('r1');
    c.calls[0]!.settle();
    await expect(stuck).resolves.toBe('r0');
  });
});
