import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { eventTypes } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { badRequest, DomainError, invalidInput, notFound } from '../errors';
import type { CreateEventTypeInput, UpdateEventTypeInput } from './inputs';
import { cachedValidator, compileDataSchema, validatorFor, type DataSchema, type DataValidator } from './data-schema';
import { recordAudit } from '../audit/log';

/**
 * The event-type catalog: what the platform publishes, shared by every customer. The platform
 * writes it (a customer key gets a 403); any key reads it, so customers can browse what they can
 * subscribe to. A type with a `schema` has its events' `data` validated at publish; publishing a type
 * outside the catalog is accepted unless EVENT_TYPES_STRICT is on. Deleting archives: existing
 * subscriptions keep working, the type is hidden from the list (unless asked for) and still
 * validated if published.
 */
type Row = typeof eventTypes.$inferSelect;

/** A schema or an example above this size (serialised) is refused. */
const MAX_JSON_BYTES = 64 * 1024;

function eventTypeView(r: Row) {
  return {
    name: r.name,
    description: r.description,
    schema: r.schema ?? null,
    example: r.example ?? null,
    archived: r.archivedAt !== null,
    archivedAt: r.archivedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
export type EventTypeView = ReturnType<typeof eventTypeView>;

function assertPlatform(scope: Scope): void {
  if (scope.kind !== 'platform')
    throw new DomainError('forbidden', 'only a platform key may change the event-type catalog');
}

function checkSize(field: string, value: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > MAX_JSON_BYTES)
    throw badRequest(field, `${field} is ${bytes} bytes serialised, above the limit of ${MAX_JSON_BYTES}`);
}

/** Compiles the schema (400 on `schema` if it is not one) and checks the example against it (400 on `example`). */
function checkSchemaAndExample(schema: DataSchema | null, example: unknown): void {
  if (schema !== null) checkSize('schema', schema);
  if (example !== null && example !== undefined) checkSize('example', example);
  if (schema === null) return;
  const validate = compileDataSchema(schema);
  if (example === null || example === undefined) return;
  const issues = validate(example);
  if (issues.length) {
    throw invalidInput(
      issues.map((i) => ({
        ...i,
        field: `example${i.field!.slice('data'.length)}`,
        reason: `the example does not satisfy the schema: ${i.reason}`,
      })),
    );
  }
}

export async function createEventType(ctx: Ctx, scope: Scope, input: CreateEventTypeInput): Promise<EventTypeView> {
  assertPlatform(scope);
  checkSchemaAndExample(input.schema ?? null, input.example);
  const now = ctx.now();
  const [row] = await ctx.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(eventTypes)
      .values({
        name: input.name,
        description: input.description ?? null,
        schema: input.schema ?? null,
        example: input.example ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted[0])
      await recordAudit(ctx, tx, scope, {
        customerId: null,
        action: 'event_type.created',
        target: { kind: 'event_type', id: input.name },
        after: eventTypeView(inserted[0]),
      });
    return inserted;
  });
  if (!row) {
    const [existing] = await ctx.db
      .select({ archivedAt: eventTypes.archivedAt })
      .from(eventTypes)
      .where(eq(eventTypes.name, input.name));
    throw new DomainError(
      'conflict',
      existing?.archivedAt
        ? `event type "${input.name}" exists but is archived: PATCH it with "archived": false to restore it`
        : `event type "${input.name}" already exists: PATCH it to change it`,
      { field: 'name' },
    );
  }
  return eventTypeView(row);
}

/** The catalog by name, keyset-paginated by name; archived types only when asked for. */
export async function listEventTypes(
  ctx: Ctx,
  _scope: Scope,
  input: { archived: boolean; limit: number; cursor?: string | undefined },
) {
  const rows = await ctx.db
    .select()
    .from(eventTypes)
    .where(
      and(
        input.archived ? undefined : isNull(eventTypes.archivedAt),
        input.cursor ? gt(eventTypes.name, input.cursor) : undefined,
      ),
    )
    .orderBy(asc(eventTypes.name))
    .limit(input.limit + 1);
  const data = rows.slice(0, input.limit);
  return { data: data.map(eventTypeView), nextCursor: rows.length > input.limit ? (data.at(-1)?.name ?? null) : null };
}

export async function getEventType(ctx: Ctx, _scope: Scope, name: string): Promise<EventTypeView> {
  const [row] = await ctx.db.select().from(eventTypes).where(eq(eventTypes.name, name));
  if (!row) throw notFound('event type');
  return eventTypeView(row);
}

/**
 * Edits a type. `updatedAt` always moves forward (at least 1 ms past the previous value), since it
 * keys the compiled validators: a changed schema is never served from a stale cache entry.
 */
export async function updateEventType(ctx: Ctx, scope: Scope, input: UpdateEventTypeInput): Promise<EventTypeView> {
  assertPlatform(scope);
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(eventTypes).where(eq(eventTypes.name, input.name)).for('update');
    if (!before) throw notFound('event type');
    const schema = input.schema === undefined ? (before.schema ?? null) : input.schema;
    const example = input.example === undefined ? before.example : input.example;
    if (input.schema !== undefined || input.example !== undefined) checkSchemaAndExample(schema, example);
    const now = ctx.now();
    const updatedAt = now > before.updatedAt ? now : new Date(before.updatedAt.getTime() + 1);
    const [row] = await tx
      .update(eventTypes)
      .set({
        ...(input.description !== undefined && { description: input.description }),
        ...(input.schema !== undefined && { schema: input.schema }),
        ...(input.example !== undefined && { example: input.example }),
        ...(input.archived !== undefined && { archivedAt: input.archived ? (before.archivedAt ?? now) : null }),
        updatedAt,
      })
      .where(eq(eventTypes.name, input.name))
      .returning();
    const action = input.archived === true && !before.archivedAt ? 'event_type.archived' : 'event_type.updated';
    await recordAudit(ctx, tx, scope, {
      customerId: null,
      action,
      target: { kind: 'event_type', id: input.name },
      before: eventTypeView(before),
      after: eventTypeView(row!),
    });
    return eventTypeView(row!);
  });
}

/** `DELETE /event-types/{name}`: archives (idempotent). Subscriptions to the type keep working. */
export async function archiveEventType(ctx: Ctx, scope: Scope, name: string): Promise<EventTypeView> {
  return updateEventType(ctx, scope, { name, archived: true });
}

/**
 * Checks published events against the catalog, one answer per item: null (accepted) or the 400
 * that refuses it: its type is outside the catalog under EVENT_TYPES_STRICT, or its `data` fails the
 * type's schema (every failing JSON pointer listed). One query for the whole batch; a schema is read
 * only when its validator is not compiled in this process yet.
 */
export async function checkEventData(
  ctx: Ctx,
  items: ReadonlyArray<{ type: string; data: unknown }>,
): Promise<Array<DomainError | null>> {
  const names = [...new Set(items.map((i) => i.type))];
  if (names.length === 0) return [];
  const rows = await ctx.db
    .select({
      name: eventTypes.name,
      updatedAt: eventTypes.updatedAt,
      hasSchema: sql<boolean>`${eventTypes.schema} is not null`,
    })
    .from(eventTypes)
    .where(inArray(eventTypes.name, names));
  const known = new Map(rows.map((r) => [r.name, r]));
  const validators = new Map<string, DataValidator>();
  const missing: string[] = [];
  for (const r of rows) {
    if (!r.hasSchema) continue;
    const cached = cachedValidator(r.name, r.updatedAt);
    if (cached) validators.set(r.name, cached);
    else missing.push(r.name);
  }
  if (missing.length) {
    // Read with its own updatedAt: the validator is cached under the version it was compiled from.
    const schemas = await ctx.db
      .select({ name: eventTypes.name, updatedAt: eventTypes.updatedAt, schema: eventTypes.schema })
      .from(eventTypes)
      .where(inArray(eventTypes.name, missing));
    for (const s of schemas) if (s.schema !== null) validators.set(s.name, validatorFor(s.name, s.updatedAt, s.schema));
  }
  return items.map((item) => {
    if (!known.has(item.type)) {
      return ctx.config.eventTypesStrict
        ? badRequest(
            'type',
            `event type "${item.type}" is not in the catalog, and EVENT_TYPES_STRICT is on: add it with POST /event-types first`,
          )
        : null;
    }
    const issues = validators.get(item.type)?.(item.data) ?? [];
    return issues.length ? invalidInput(issues) : null;
  });
}
