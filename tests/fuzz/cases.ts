import fc from 'fast-check';
import { badCredentials, hostileBody, hostileValue, oddContentTypes, raw, unknownFieldName } from './hostile';
import { ID_PREFIX, schemaTypes, type Op } from './operations';

/** The API fuzzer's cases: an operation and one thing done wrong, generated or swept. */

export type Mutation =
  | { kind: 'valid' }
  | { kind: 'field'; pick: number; descend: boolean; value: unknown }
  | { kind: 'drop'; pick: number }
  | { kind: 'unknown'; name: string; value: unknown }
  | { kind: 'body'; text: string; label: string }
  | { kind: 'contentType'; type: string | undefined }
  | { kind: 'auth'; header: string | undefined; body: { text: string; label: string } | null }
  | { kind: 'customerKeyOnPlatform' }
  | { kind: 'foreign'; pick: number }
  | { kind: 'method'; method: string }
  | { kind: 'batch'; size: number };

export type FuzzCase = { op: number; mutation: Mutation };

/** The arbitrary of fuzz cases over `ops`: an operation and one thing done wrong (or nothing: the valid skeleton). */
export function caseArbitrary(ops: Op[]): fc.Arbitrary<FuzzCase> {
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 3, arbitrary: fc.constant({ kind: 'valid' as const }) },
    {
      weight: 34,
      arbitrary: fc.record({
        kind: fc.constant('field' as const),
        pick: fc.nat(),
        descend: fc.boolean(),
        value: hostileValue(),
      }),
    },
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
    {
      weight: 10,
      arbitrary: fc.record({ kind: fc.constant('unknown' as const), name: unknownFieldName(), value: hostileValue() }),
    },
    { weight: 10, arbitrary: hostileBody().map((b) => ({ kind: 'body' as const, ...b })) },
    {
      weight: 5,
      arbitrary: fc.constantFrom(...oddContentTypes).map((type) => ({ kind: 'contentType' as const, type })),
    },
    {
      weight: 10,
      arbitrary: fc.record({
        kind: fc.constant('auth' as const),
        header: fc.constantFrom(...badCredentials),
        body: fc.option(hostileBody(), { nil: null }),
      }),
    },
    { weight: 3, arbitrary: fc.constant({ kind: 'customerKeyOnPlatform' as const }) },
    { weight: 9, arbitrary: fc.record({ kind: fc.constant('foreign' as const), pick: fc.nat() }) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS')
        .map((method) => ({ kind: 'method' as const, method })),
    },
    { weight: 4, arbitrary: fc.constantFrom(2, 20, 21, 50, 200).map((size) => ({ kind: 'batch' as const, size })) },
  );
  return fc.record({ op: fc.nat({ max: ops.length - 1 }), mutation });
}

/**
 * Before the random cases, the same few values in every field of every REST operation (the tRPC door
 * reaches the same procedures, and gets its share of the random cases): a NUL byte, a lone surrogate
 * and an object nested 10,000 deep everywhere; the edges of PostgreSQL's types where the schema says
 * date-time (years -271821 and +275760) or integer (2^31, 2^53+1). Then every id field of every
 * operation, on both doors, with another customer's object.
 */
export function sweepCases(ops: Op[]): FuzzCase[] {
  const everywhere: unknown[] = ['order\u0000created', 'x\udfffy', deepObject];
  const out: FuzzCase[] = [];
  ops.forEach((op, i) => {
    if (op.door !== 'rest') return;
    Object.values(op.schema.properties ?? {}).forEach((s, pick) => {
      const types = schemaTypes(s);
      const edges =
        s.format === 'date-time'
          ? ['-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z']
          : types?.has('integer')
            ? [2 ** 31, 2 ** 53 + 1]
            : [];
      for (const value of [...everywhere, ...edges])
        out.push({ op: i, mutation: { kind: 'field', pick, descend: false, value } });
    });
  });
  // Then, on both doors, customer A naming each of customer B's objects in turn.
  ops.forEach((op, i) => {
    const ids = Object.values(op.schema.properties ?? {}).filter((s) => s.pattern && ID_PREFIX.test(s.pattern));
    ids.forEach((_, pick) => out.push({ op: i, mutation: { kind: 'foreign', pick } }));
  });
  return out;
}
const deepObject = raw('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), 'object nested 10000 deep');
