import { z } from 'zod';

/**
 * What every REST procedure answers, defined once: each procedure declares its schema with
 * `.output()`, so tRPC checks every answer against it, and the OpenAPI document (openapi.ts) is
 * generated from the same schemas: the document cannot drift from what the API returns.
 *
 * Objects are strict: a field the domain returns but the schema does not list fails the request
 * (and so the route table test) instead of reaching clients undocumented. The compiler checks both
 * directions: tRPC that a procedure's result fits its schema, and `covers<T>()` that a schema lists
 * every field of its domain view (a field added to a view without its schema is a type error).
 * A schema with an `id` becomes a named component of the OpenAPI document. The schemas sit one file
 * per resource in this folder; this file holds what they share.
 */
export function covers<T>() {
  return <S extends z.ZodType>(
    schema: S &
      ([Exclude<keyof T, keyof z.output<S>>] extends [never]
        ? unknown
        : { missingFields: Exclude<keyof T, keyof z.output<S>> }),
  ): S => schema;
}

export const timestamp = z.string().describe('ISO 8601');
export const nullableTimestamp = timestamp.nullable();

export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .strictObject({
      data: z.array(item),
      nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
    })
    .meta({ id });
}

/** What deleting answers. */
export const deletedOutput = z.strictObject({ id: z.string(), deleted: z.literal(true) }).meta({ id: 'Deleted' });
