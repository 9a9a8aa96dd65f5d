import { afterAll, beforeAll } from 'vitest';

/**
 * What one test file runs against (an engine, an API bed), started by `start` before the file's
 * tests (beforeAll) and stopped after them (afterAll). The handle is returned at once, at the top of
 * the file; its members are the started object's, readable from the file's later beforeAll hooks on.
 *
 * Registered first, so hooks the file adds afterwards see it started, and their afterAll (run in
 * reverse order) still has it: it stops last.
 */
export function fileScoped<T extends { stop(): Promise<void> }>(start: () => Promise<T>): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!started) throw new Error(`read .${String(key)} before the file's beforeAll started it`);
      return Reflect.get(started, key) as unknown;
    },
  });
}
