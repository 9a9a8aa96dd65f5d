import type { z } from 'zod';
import { appRouter } from './root';
import type { RestMeta } from './trpc';

/**
 * The REST routes: every tRPC procedure that carries `rest` meta. REST (rest.ts), the OpenAPI
 * document (openapi.ts) and the tests all read this one list, so a new route cannot miss any of them.
 */
export type RestRoute = {
  procedure: string;
  meta: RestMeta;
  input: z.ZodType | undefined;
  /** What the procedure answers (its `.output()` schema): the OpenAPI document's success response. */
  output: z.ZodType | undefined;
  pattern: RegExp;
  params: string[];
};

type ProcedureLike = { _def: { meta?: { rest?: RestMeta }; inputs: z.ZodType[]; output?: z.ZodType } };

export const restRoutes: RestRoute[] = Object.entries(
  appRouter._def.procedures as unknown as Record<string, ProcedureLike>,
)
  .filter(([, p]) => p._def.meta?.rest)
  .map(([name, p]) => {
    const meta = p._def.meta!.rest!;
    const params = [...meta.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const pattern = new RegExp(`^${meta.path.replace(/\{\w+\}/g, '([^/]+)')}$`);
    return { procedure: name, meta, input: p._def.inputs[0], output: p._def.output, pattern, params };
  });
