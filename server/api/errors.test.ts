import { initTRPC } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toDomainError } from './errors';

/** Output schemas (server/api/outputs/) guard what we answer: a mismatch is our bug, never the caller's. */
describe('toDomainError', () => {
  const t = initTRPC.create();
  const router = t.router({
    strict: t.procedure
      .input(z.strictObject({ n: z.number() }))
      .output(z.strictObject({ a: z.string() }))
      .query(({ input }) => ({ a: 'x', ...(input.n > 0 && { extra: input.n }) })),
  });
  const caller = t.createCallerFactory(router)({});
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e,
    );

  it('an answer with a field its output schema does not list is an internal error (500), not a 400', async () => {
    const e = toDomainError(await failure(caller.strict({ n: 1 })));
    expect(e.code).toBe('internal');
    expect(e.issues).toBeUndefined();
  });

  it("bad input is still the caller's 400, naming the field", async () => {
    const e = toDomainError(await failure(caller.strict({ n: 'one' } as never)));
    expect(e).toMatchObject({ code: 'bad_request', field: 'n' });
  });

  it('a conforming answer passes', async () => {
    expect(await caller.strict({ n: 0 })).toEqual({ a: 'x' });
  });
});
