import { and, eq, inArray } from 'drizzle-orm';
import { broadcasts, deliveries, eventKeys, events, subscriptions } from '../../../drizzle/schema';
import { metrics } from '../../metrics';
import { batcher } from '../../batch';
import type { Tx } from '../../db/client';
import { enqueueMany } from '../../queue/boss';
import type { Ctx, Scope } from '../context';
import { badRequest, DomainError, invalidInput, issuesOfZod, notFound, type ErrorCode, type FieldIssue } from '../errors';
import { candidateColumns, createDeliveries, createDeliveriesFor, FILTER_TRACE_LIMIT, lazyBody, targetsOf, type Routing } from './fanout';
import { checkEventData } from './catalog';
import { newEventId } from '../ids';
import { parseJsonExact } from '../../json';
import { actingCustomer, assertWritable, scopeFilter } from '../scope';
import { publishEventInput, type PublishEventInput } from './inputs';
import { countUsage, dayOf } from '../audit/usage';
import { dailyQuotaReached, eventsRoomToday, storedBytesQuotaReached, storedBytesRoom } from '../tenants/limits';
import { retentionDaysOf, retentionUntilOf } from '../retention-period';
import { contextOf, traceparentOf } from '../../tracing-context';
import { describePublish, endFanoutSpan, endPublishSpan, startFanoutSpan, startPublishSpan, type TraceSpan } from '../../tracing-spans';
import { tracingOn } from '../../tracing';

export type PublishResult = { id: string; deliveries: number | null; duplicate: boolean };

/** Above this many matching subscriptions a customer event is fanned out by a job, not inline. */
const INLINE_FANOUT_LIMIT = 200;

export type PublishError = { code: ErrorCode; field?: string; reason: string; errors?: FieldIssue[] };
export type BatchItemResult = { id: string; deliveries: number | null; duplicate: boolean } | { error: PublishError };

/**
 * Accepts an event. The event row and its fan-out are made durable in one transaction: a
 * customer-scoped event gets its deliveries and their first jobs inline (one hop fewer); a broadcast,
 * or a customer with very many subscriptions, gets a `fanout` job. Either way, once this returns the
 * event cannot be lost. The body is serialised once here: those exact bytes are signed and sent.
 * Same idempotency key (per customer, or per broadcast) and same event returns the first event, with no
 * second fan-out; a different event under a used key is a 409.
 *
 * Single, group-committed and batch publishes all go through `acceptEvents`: one set of rules.
 */
export async function publishEvent(ctx: Ctx, scope: Scope, input: PublishEventInput): Promise<PublishResult> {
  return traced(startPublishSpan(), (span) => publishOne(ctx, scope, input, span));
}

/** Runs a publish under its span (none when tracing is off) and ends the span with the outcome. */
async function traced(span: TraceSpan | undefined, fn: (span: TraceSpan | undefined) => Promise<PublishResult>): Promise<PublishResult> {
  if (!span) return fn(undefined);
  try {
    const result = await fn(span);
    endPublishSpan(span, result);
    return result;
  } catch (err) {
    endPublishSpan(span, err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

async function publishOne(ctx: Ctx, scope: Scope, input: PublishEventInput, span: TraceSpan | undefined): Promise<PublishResult> {
  const prepared = prepareEvent(ctx, scope, input, span);
  // The event-type catalog: a type's schema must hold on `data` (and, if strict, the type must be listed).
  const [refusal] = await checkEventData(ctx, [input]);
  if (refusal) throw refusal;
  const [result] = await ctx.db.transaction((tx) => acceptEvents(ctx, tx, [prepared]));
  if (result instanceof DomainError) throw result;
  countAccepted([prepared], [result!]);
  return result!;
}

/**
 * `POST /events/batch`: up to MAX_BATCH events in one request and one transaction. Each item is
 * checked on its own (input, audience, size, idempotency) and answered in order, `{id, deliveries}`
 * or `{error: {code, field, reason}}`; a refused item changes nothing and does not stop the others.
 */
export const MAX_BATCH = 500;

export async function publishBatch(ctx: Ctx, scope: Scope, items: unknown[]): Promise<{ results: BatchItemResult[] }> {
  assertWritable(scope);
  if (items.length > MAX_BATCH) throw badRequest('events', `at most ${MAX_BATCH} events per batch (got ${items.length})`);
  const prepared: Array<Prepared | DomainError> = items.map((raw) => {
    const parsed = publishEventInput.safeParse(raw);
    if (!parsed.success) return invalidInput(issuesOfZod(parsed.error));
    const span = startPublishSpan();
    try {
      return prepareEvent(ctx, scope, parsed.data, span);
    } catch (err) {
      endPublishSpan(span, err instanceof Error ? err : new Error(String(err)));
      if (err instanceof DomainError) return err;
      throw err;
    }
  });
  // The event-type catalog refuses an item whose data does not hold its type's schema.
  const checkable = prepared.map((p, i) => ({ p, i })).filter((x): x is { p: Prepared; i: number } => !(x.p instanceof DomainError));
  const refusals = await checkEventData(
    ctx,
    checkable.map((x) => x.p.input),
  );
  checkable.forEach((x, k) => {
    if (!refusals[k]) return;
    endPublishSpan(x.p.span, refusals[k]);
    prepared[x.i] = refusals[k];
  });
  const valid = prepared.filter((p): p is Prepared => !(p instanceof DomainError));
  let accepted: Array<PublishResult | DomainError>;
  try {
    accepted = valid.length ? await ctx.db.transaction((tx) => acceptEvents(ctx, tx, valid)) : [];
  } catch (err) {
    for (const p of valid) endPublishSpan(p.span, err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
  valid.forEach((p, i) => endPublishSpan(p.span, accepted[i]!));
  const byId = new Map(valid.map((p, i) => [p.id, accepted[i]!]));
  countAccepted(valid, accepted);
  metrics.eventsBatched.inc({}, items.length);
  return {
    results: prepared.map((p): BatchItemResult => {
      const r = p instanceof DomainError ? p : byId.get(p.id)!;
      return r instanceof DomainError ? { error: publishErrorOf(r) } : r;
    }),
  };
}

/** An item's refusal: the first problem's field and reason, and every problem when there are several. */
function publishErrorOf(e: DomainError): PublishError {
  const first = e.issues?.[0];
  return { code: e.code, ...(e.field && { field: e.field }), reason: first?.reason ?? e.message, ...(e.issues && e.issues.length > 1 && { errors: e.issues }) };
}

/**
 * Group commit for publishing: concurrent single publishes of one process that arrive within 2 ms
 * (up to 64) are accepted in one transaction by `acceptEvents`, instead of one transaction of ~8
 * round trips each. Each caller still gets its own result (or error), returned only after the
 * commit. If the shared transaction fails as a whole, each event is retried alone, so one caller's
 * problem never becomes another's.
 *
 * At most GROUP_COMMITS_IN_FLIGHT of those transactions run at once; publishes that arrive meanwhile
 * wait for the next one. Without that limit a steady 200 events/s started a transaction of one or
 * two events every 2 ms, a dozen ran at once, and each of their round trips waited for a core: a
 * publish took 100 to 300 ms at the median (bench/latency.ts), against 20 ms with the limit, at the
 * same saturated rate. One that runs past GROUP_COMMIT_STALL_MS (stuck on a lock) no longer counts.
 */
export function publishEventBatched(ctx: Ctx, scope: Scope, input: PublishEventInput): Promise<PublishResult> {
  let publish = publishers.get(ctx);
  if (!publish) {
    publish = batcher((items: PublishItem[]) => groupCommit(ctx, items), {
      maxSize: 64,
      maxWaitMs: 2,
      maxInFlight: GROUP_COMMITS_IN_FLIGHT,
      stallMs: GROUP_COMMIT_STALL_MS,
    });
    publishers.set(ctx, publish);
  }
  // The span starts here, in the caller's context (its request's traceparent): the shared
  // transaction runs in whichever caller's context flushed the batch.
  const span = startPublishSpan();
  return publish({ scope, input, span }).then(
    (r) => {
      endPublishSpan(span, r);
      if (r instanceof Error) throw r;
      return r;
    },
    (err: unknown) => {
      endPublishSpan(span, err instanceof Error ? err : new Error(String(err)));
      throw err;
    },
  );
}

const GROUP_COMMITS_IN_FLIGHT = 2;
/** A group commit running longer than this (stuck on a lock: one customer's row or idempotency key) stops counting against the limit. */
const GROUP_COMMIT_STALL_MS = 250;

type PublishItem = { scope: Scope; input: PublishEventInput; span: TraceSpan | undefined };
const publishers = new WeakMap<Ctx, (item: PublishItem) => Promise<PublishResult | Error>>();

async function groupCommit(ctx: Ctx, items: PublishItem[]): Promise<Array<PublishResult | Error>> {
  const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
  const prepared: Array<Prepared | Error> = items.map(({ scope, input, span }) => {
    try {
      return prepareEvent(ctx, scope, input, span);
    } catch (err) {
      return asError(err);
    }
  });
  let accepted: Array<PublishResult | DomainError>;
  try {
    // The event-type catalog refuses what does not hold its type's schema (each caller gets its own 400).
    const checkable = prepared.map((p, i) => ({ p, i })).filter((x): x is { p: Prepared; i: number } => !(x.p instanceof Error));
    const refusals = await checkEventData(
      ctx,
      checkable.map((x) => x.p.input),
    );
    checkable.forEach((x, k) => {
      if (refusals[k]) prepared[x.i] = refusals[k];
    });
  } catch {
    return Promise.all(items.map((i) => publishOne(ctx, i.scope, i.input, i.span).catch(asError)));
  }
  const valid = prepared.filter((p): p is Prepared => !(p instanceof Error));
  try {
    accepted = valid.length ? await ctx.db.transaction((tx) => acceptEvents(ctx, tx, valid)) : [];
  } catch {
    // The shared transaction failed (e.g. a customer deleted meanwhile): each event alone.
    return Promise.all(items.map((i) => publishOne(ctx, i.scope, i.input, i.span).catch(asError)));
  }
  countAccepted(valid, accepted);
  if (valid.length > 1) metrics.eventsGroupCommitted.inc({}, accepted.filter((r) => !(r instanceof DomainError) && !r.duplicate).length);
  const byId = new Map(valid.map((p, i) => [p.id, accepted[i]!]));
  return prepared.map((p) => (p instanceof Error ? p : byId.get(p.id)!));
}

function countAccepted(prepared: Prepared[], results: Array<PublishResult | DomainError>): void {
  // Counted once committed: the publish rate is the rate of durable events.
  results.forEach((r, i) => {
    if (r instanceof DomainError) return;
    if (r.duplicate) metrics.eventsDuplicate.inc();
    else metrics.eventsAccepted.inc({ scope: prepared[i]!.customerId ? 'customer' : 'broadcast' });
  });
}

/** `span`: the event's publish span (tracing on); its traceparent is stored with the event. `size`: the body's bytes. */
type Prepared = { input: PublishEventInput; id: string; customerId: string | null; body: string; size: number; now: Date; span: TraceSpan | undefined };

/**
 * Checks a publish (writable scope, the customer it acts for, size) and serialises its body once:
 * those exact bytes are stored, signed and sent. Throws the refusal.
 */
function prepareEvent(ctx: Ctx, scope: Scope, input: PublishEventInput, span: TraceSpan | undefined): Prepared {
  assertWritable(scope);
  const customerId = audienceOf(scope, input);
  const now = ctx.now();
  const id = newEventId(now.getTime());
  const body = eventBody(id, input.type, now, input.data);
  const size = Buffer.byteLength(body);
  if (size > ctx.config.maxPayloadBytes) {
    throw new DomainError('payload_too_large', `event is ${size} bytes, above the limit of ${ctx.config.maxPayloadBytes}`, { field: 'data' });
  }
  describePublish(span, id, input.type, customerId);
  return { input, id, customerId, body, size, now, span };
}

/**
 * Who an event goes to: one customer, or (null) every customer. A broadcast is only ever asked for
 * (`"broadcast": true`, platform keys only), never inferred from a missing `customerId`: a platform
 * key names exactly one of the two; a customer key publishes for its own customer.
 */
function audienceOf(scope: Scope, input: PublishEventInput): string | null {
  if (input.broadcast === true) {
    if (input.customerId) throw badRequest('broadcast', 'give either customerId or "broadcast": true, not both');
    if (scope.kind === 'customer')
      throw new DomainError('forbidden', 'only a platform key may broadcast; a customer key publishes for its own customer', { field: 'broadcast' });
    return null;
  }
  if (scope.kind === 'platform' && !input.customerId) {
    throw badRequest('customerId', 'customerId is required with a platform key (or "broadcast": true to deliver to every customer)');
  }
  return actingCustomer(scope, input.customerId);
}

/**
 * The delivery body: `{"id","type","timestamp","data"}`. `data` was parsed with its numbers kept
 * exact (server/domain/json.ts), which JSON.stringify writes back verbatim: receivers get the numbers
 * as published, and the signature covers them.
 */
function eventBody(id: string, type: string, now: Date, data: unknown): string {
  return JSON.stringify({ id, type, timestamp: now.toISOString(), data });
}

/**
 * Accepts prepared events in the caller's transaction, set-based whatever their number: one
 * customers read, one subscriptions read, one event insert, one delivery insert and admission,
 * one job insert. Per event: an unknown customer is a 404; a used idempotency key returns the first
 * event (same type and data) or is a 409 (a different event); otherwise the event is accepted and
 * fanned out, inline for a customer with fewer than INLINE_FANOUT_LIMIT subscriptions, else by a
 * `fanout` job (always for a broadcast).
 */
async function acceptEvents(ctx: Ctx, tx: Tx, prepared: Prepared[]): Promise<Array<PublishResult | DomainError>> {
  const customerIds = [...new Set(prepared.map((p) => p.customerId).filter((c): c is string => c !== null))];
  // Each customer's own retention (null: the platform default) dates its events' retention_until.
  const retention = await retentionDaysOf(tx, customerIds);
  const known = new Set(retention.keys());
  const retentionFrom = (ctx: Ctx, now: Date, customerId: string | null) => retentionUntilOf(ctx, now, customerId ? retention.get(customerId) : null);
  const results = new Map<string, PublishResult | DomainError>();
  const ok: Prepared[] = [];
  // A customer's daily event quota and stored-bytes quota (limits.ts): the events past either are
  // refused, the others go on.
  const room = await eventsRoomToday(ctx, tx, [...known], ctx.now());
  const bytesRoom = await storedBytesRoom(ctx, tx, [...known], ctx.now());
  for (const p of prepared) {
    if (p.customerId && !known.has(p.customerId)) results.set(p.id, new DomainError('not_found', 'customer not found', { field: 'customerId' }));
    else if (p.customerId && room && !(room.get(p.customerId)! > 0)) results.set(p.id, dailyQuotaReached(ctx, p.now));
    else if (p.customerId && bytesRoom && p.size > bytesRoom.get(p.customerId)!)
      results.set(p.id, storedBytesQuotaReached(ctx, p.size, bytesRoom.get(p.customerId)!));
    else {
      if (p.customerId && room) room.set(p.customerId, room.get(p.customerId)! - 1);
      if (p.customerId && bytesRoom) bytesRoom.set(p.customerId, bytesRoom.get(p.customerId)! - p.size);
      ok.push(p);
    }
  }
  const subs = customerIds.length ? await tx.select(candidateColumns).from(subscriptions).where(inArray(subscriptions.customerId, customerIds)) : [];
  const byCustomer = new Map<string, typeof subs>();
  for (const s of subs) byCustomer.set(s.customerId, [...(byCustomer.get(s.customerId) ?? []), s]);
  const inlineOf = (p: Prepared): Routing | null => {
    if (!p.customerId) return null;
    const all = byCustomer.get(p.customerId) ?? [];
    return all.length >= INLINE_FANOUT_LIMIT ? null : targetsOf(all, p.input.type, lazyBody(p.body), p.input.channels ?? []);
  };
  const inline = new Map(ok.map((p) => [p.id, inlineOf(p)]));
  const scoped = ok.filter((p) => p.customerId);
  const broadcast = ok.filter((p) => !p.customerId);
  const common = (p: Prepared) => ({
    id: p.id,
    type: p.input.type,
    channels: p.input.channels ?? [],
    tags: p.input.tags ?? [],
    orderingKey: p.input.orderingKey ?? null,
    body: p.body,
    idempotencyKey: p.input.idempotencyKey ?? null,
    createdAt: p.now,
    retentionUntil: retentionFrom(ctx, p.now, p.customerId),
    ...(p.span && { traceParent: traceparentOf(p.span) ?? null }),
  });
  // A customer's idempotency key is claimed first, in `event_keys` (unique across every partition of
  // `events`): an event whose key is already taken is a repeat and is not inserted.
  const keyed = scoped.filter((p) => p.input.idempotencyKey);
  const claimed = new Set(
    keyed.length
      ? (
          await tx
            .insert(eventKeys)
            .values(
              keyed.map((p) => ({
                customerId: p.customerId!,
                key: p.input.idempotencyKey!,
                eventId: p.id,
                retentionUntil: retentionFrom(ctx, p.now, p.customerId),
              })),
            )
            .onConflictDoNothing()
            .returning({ eventId: eventKeys.eventId })
        ).map((k) => k.eventId)
      : [],
  );
  const toInsert = scoped.filter((p) => !p.input.idempotencyKey || claimed.has(p.id));
  const inserted = [
    ...(toInsert.length
      ? await tx
          .insert(events)
          .values(
            toInsert.map((p) => {
              const routing = inline.get(p.id);
              return {
                ...common(p),
                customerId: p.customerId!,
                ...(routing && { fannedOutAt: p.now, deliveryCount: routing.targets.length, ...filterDecisions(routing.filteredOut) }),
              };
            }),
          )
          .onConflictDoNothing()
          .returning({ id: events.id })
      : []),
    // A broadcast is stored once; its fan-out job copies it to each customer it reaches.
    ...(broadcast.length ? await tx.insert(broadcasts).values(broadcast.map(common)).onConflictDoNothing().returning({ id: broadcasts.id }) : []),
  ];
  const fresh = new Set(inserted.map((e) => e.id));
  const mine = ok.filter((p) => fresh.has(p.id));
  const inlineFanouts = mine.filter((p) => inline.get(p.id));
  // Tracing: each inline fan-out is a span under its publish, and the parent of its admissions.
  const fanoutSpans = tracingOn() ? new Map(inlineFanouts.map((p) => [p.id, p.span && startFanoutSpan(contextOf(p.span), p.id, true)])) : null;
  try {
    await createDeliveriesFor(
      ctx,
      tx,
      inlineFanouts.map((p) => {
        const span = fanoutSpans?.get(p.id);
        return {
          event: {
            id: p.id,
            customerId: p.customerId,
            type: p.input.type,
            orderingKey: p.input.orderingKey ?? null,
            ...(span && { trace: contextOf(span) }),
          },
          targets: inline.get(p.id)!.targets,
        };
      }),
    );
  } catch (err) {
    for (const span of fanoutSpans?.values() ?? []) endFanoutSpan(span, 0, 0, err);
    throw err;
  }
  for (const p of inlineFanouts) {
    const routing = inline.get(p.id)!;
    endFanoutSpan(fanoutSpans?.get(p.id), routing.targets.length, routing.filteredOut.length);
  }
  await enqueueMany(
    ctx.boss,
    'fanout',
    mine.filter((p) => !inline.get(p.id)).map((p) => ({ data: { eventId: p.id, ...(p.customerId && { customerId: p.customerId }) } })),
    tx,
  );
  await countUsage(
    tx,
    mine.filter((p) => p.customerId).map((p) => ({ customerId: p.customerId!, day: dayOf(p.now), events: 1, published: p.size })),
  );
  for (const p of mine) {
    const routing = inline.get(p.id);
    results.set(p.id, { id: p.id, deliveries: routing ? routing.targets.length : null, duplicate: false });
  }
  // Not inserted: the idempotency key was used (by an earlier request, or earlier in this batch).
  const repeated = ok.filter((p) => !fresh.has(p.id));
  if (repeated.length) {
    const keys = (list: Prepared[]) => list.map((p) => p.input.idempotencyKey ?? '');
    const repeatedScoped = repeated.filter((p) => p.customerId);
    const repeatedBroadcasts = repeated.filter((p) => !p.customerId);
    const existing = [
      ...(repeatedScoped.length
        ? await tx
            .select({
              id: events.id,
              idempotencyKey: eventKeys.key,
              deliveryCount: events.deliveryCount,
              type: events.type,
              channels: events.channels,
              tags: events.tags,
              orderingKey: events.orderingKey,
              body: events.body,
              customerId: events.customerId,
            })
            .from(eventKeys)
            .innerJoin(events, and(eq(events.id, eventKeys.eventId), eq(events.customerId, eventKeys.customerId)))
            .where(and(inArray(eventKeys.key, keys(repeatedScoped)), inArray(eventKeys.customerId, [...new Set(repeatedScoped.map((p) => p.customerId!))])))
        : []),
      ...(repeatedBroadcasts.length
        ? (
            await tx
              .select({
                id: broadcasts.id,
                idempotencyKey: broadcasts.idempotencyKey,
                deliveryCount: broadcasts.deliveryCount,
                type: broadcasts.type,
                channels: broadcasts.channels,
                tags: broadcasts.tags,
                orderingKey: broadcasts.orderingKey,
                body: broadcasts.body,
              })
              .from(broadcasts)
              .where(inArray(broadcasts.idempotencyKey, keys(repeatedBroadcasts)))
          ).map((b) => ({ ...b, customerId: null }))
        : []),
    ];
    const keyOf = (customerId: string | null, key: string | null) => `${customerId ?? ''}\u0000${key ?? ''}`;
    const byKey = new Map(existing.map((e) => [keyOf(e.customerId, e.idempotencyKey), e]));
    for (const p of repeated) {
      const first = p.input.idempotencyKey ? byKey.get(keyOf(p.customerId, p.input.idempotencyKey)) : undefined;
      if (!first) {
        results.set(p.id, new DomainError('conflict', 'event id collision; retry'));
        continue;
      }
      // A retry must carry the same event; a different one under a used key is a client bug, not a retry.
      // An expunged first event (empty body) has no data left to compare: the key, type and labels decide.
      const data = first.body === '' ? p.input.data : (parseJsonExact(first.body) as { data: unknown }).data;
      const sameLabels =
        first.channels.join('\u0000') === (p.input.channels ?? []).join('\u0000') &&
        first.tags.join('\u0000') === (p.input.tags ?? []).join('\u0000') &&
        first.orderingKey === (p.input.orderingKey ?? null);
      if (first.type !== p.input.type || canonicalJson(data) !== canonicalJson(p.input.data) || !sameLabels) {
        results.set(
          p.id,
          new DomainError('conflict', `idempotencyKey "${p.input.idempotencyKey}" was already used for a different event (${first.id})`, {
            field: 'idempotencyKey',
          }),
        );
      } else {
        results.set(p.id, { id: first.id, deliveries: first.deliveryCount, duplicate: true });
      }
    }
  }
  return prepared.map((p) => results.get(p.id)!);
}

/** The filter decisions an event row keeps for its routing trace (none: the column stays null). */
function filterDecisions(filteredOut: Routing['filteredOut']) {
  return filteredOut.length > 0 ? { filteredOut: filteredOut.slice(0, FILTER_TRACE_LIMIT) } : {};
}

/** JSON with object keys sorted, so two encodings of the same value compare equal. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/**
 * `POST /subscriptions/{id}/test`: an event of type `hookrelay.test` delivered to that one
 * subscription only (whatever its patterns), through the normal path: signed, attempted, recorded.
 */
export async function sendTestEvent(ctx: Ctx, scope: Scope, subscriptionId: string): Promise<PublishResult & { deliveryId: string }> {
  assertWritable(scope);
  const [sub] = await ctx.db
    .select({ id: subscriptions.id, customerId: subscriptions.customerId, active: subscriptions.active })
    .from(subscriptions)
    .where(and(eq(subscriptions.id, subscriptionId), scopeFilter(scope, subscriptions.customerId)));
  if (!sub) throw notFound('subscription');
  const now = ctx.now();
  const id = newEventId(now.getTime());
  const type = 'hookrelay.test';
  const body = eventBody(id, type, now, { message: 'This is a test event from Hookrelay.', subscriptionId });
  const deliveryId = await ctx.db.transaction(async (tx) => {
    await tx.insert(events).values({
      id,
      customerId: sub.customerId,
      type,
      body,
      createdAt: now,
      retentionUntil: retentionUntilOf(ctx, now, (await retentionDaysOf(tx, [sub.customerId])).get(sub.customerId)),
      fannedOutAt: now,
      deliveryCount: 1,
    });
    await createDeliveries(ctx, tx, { id, customerId: sub.customerId, type }, [{ ...sub, pattern: null }]);
    const [d] = await tx
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eq(deliveries.eventId, id), eq(deliveries.customerId, sub.customerId)));
    return d!.id;
  });
  return { id, deliveries: 1, duplicate: false, deliveryId };
}
