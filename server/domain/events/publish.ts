import { and, eq, inArray, sql } from 'drizzle-orm';
import { deliveries, events, subscriptions } from '../../../drizzle/schema';
import { metrics } from '../../metrics';
import { batcher } from '../../batch';
import type { Tx } from '../../db/client';
import { enqueue, enqueueMany } from '../../queue/boss';
import type { Ctx, Scope } from '../context';
import { badRequest, DomainError, notFound } from '../errors';
import { candidateColumns, createDeliveries, createDeliveriesFor, FILTER_TRACE_LIMIT, lazyBody, matchingPage, targetsOf, type Routing } from './fanout';
import { checkEventData } from './catalog';
import { newId } from '../ids';
import { actingCustomer, assertWritable, scopeFilter } from '../tenants/scope';
import type { PublishEventInput } from '../schemas';

export type PublishResult = { id: string; deliveries: number | null; duplicate: boolean };

/** Above this many matching subscriptions a customer event is fanned out by a job, not inline. */
const INLINE_FANOUT_LIMIT = 200;

/**
 * Accepts an event. The event row and its fan-out are made durable in one transaction: a
 * customer-scoped event gets its deliveries and their first jobs inline (one hop fewer); a broadcast,
 * or a customer with very many subscriptions, gets a `fanout` job. Either way, once this returns the
 * event cannot be lost. The body is serialised once here: those exact bytes are signed and sent.
 * Same idempotency key (per customer, or per broadcast) and same event returns the first event, with no
 * second fan-out; a different event under a used key is a 409.
 */
export async function publishEvent(ctx: Ctx, scope: Scope, input: PublishEventInput): Promise<PublishResult> {
  const { customerId, id, body, now } = prepareEvent(ctx, scope, input);
  // The event-type catalog: a type's schema must hold on `data` (and, if strict, the type must be listed).
  const [refusal] = await checkEventData(ctx, [input]);
  if (refusal) throw refusal;
  const result = await ctx.db.transaction(async (tx): Promise<PublishResult> => {
    // A customer's event is fanned out right here (one hop fewer to the first attempt) unless the
    // customer has very many subscriptions; a broadcast always goes to the fan-out job.
    const page = customerId ? await matchingPage(tx, customerId, input.type, lazyBody(body), '', INLINE_FANOUT_LIMIT) : null;
    const inline = page && !page.more ? page.matching : null;
    const retentionUntil = retentionFrom(ctx, now);
    let inserted: Array<{ id: string }>;
    try {
      inserted = await tx
        .insert(events)
        .values({
          id, customerId, type: input.type, body, idempotencyKey: input.idempotencyKey ?? null, createdAt: now, retentionUntil,
          ...(inline && page && { fannedOutAt: now, deliveryCount: inline.length, ...filterDecisions(page.filteredOut) }),
        })
        .onConflictDoNothing()
        .returning({ id: events.id });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new DomainError('not_found', 'customer not found', { field: 'customerId' });
      throw err;
    }
    if (inserted.length === 0) {
      const [existing] = await tx
        .select({ id: events.id, deliveryCount: events.deliveryCount, type: events.type, body: events.body })
        .from(events)
        .where(and(sql`coalesce(${events.customerId}, '') = ${customerId ?? ''}`, eq(events.idempotencyKey, input.idempotencyKey ?? '')));
      if (!existing) throw new DomainError('conflict', 'event id collision; retry');
      // A retry must carry the same event; a different one under a used key is a client bug, not a retry.
      const first = JSON.parse(existing.body) as { data: unknown };
      if (existing.type !== input.type || canonicalJson(first.data) !== canonicalJson(input.data)) {
        throw new DomainError('conflict', `idempotencyKey "${input.idempotencyKey}" was already used for a different event (${existing.id})`, { field: 'idempotencyKey' });
      }
      return { id: existing.id, deliveries: existing.deliveryCount, duplicate: true };
    }
    if (inline) {
      await createDeliveries(ctx, tx, { id, customerId, type: input.type }, inline);
      return { id, deliveries: inline.length, duplicate: false };
    }
    await enqueue(ctx.boss, 'fanout', { eventId: id }, {}, tx);
    return { id, deliveries: null, duplicate: false };
  });
  // Counted once committed: the publish rate is the rate of durable events.
  if (result.duplicate) metrics.eventsDuplicate.inc();
  else metrics.eventsAccepted.inc({ scope: customerId ? 'customer' : 'broadcast' });
  return result;
}

/**
 * Group commit for publishing: concurrent publishes of one process that arrive within 2 ms (up to
 * 64) are accepted in one transaction with set-based statements (one subscriptions read, one
 * event insert, one delivery insert, one admission, one job insert, one durable commit), instead
 * of one transaction of ~8 round trips each. Each caller still gets its own result, returned only
 * after the commit. Anything unusual (an idempotency repeat, an unknown customer, an error) falls
 * back to `publishEvent` for that event alone, so the semantics are exactly `publishEvent`'s.
 */
export function publishEventBatched(ctx: Ctx, scope: Scope, input: PublishEventInput): Promise<PublishResult> {
  let publish = publishers.get(ctx);
  if (!publish) {
    publish = batcher((items: Array<{ scope: Scope; input: PublishEventInput }>) => publishEvents(ctx, items), { maxSize: 64, maxWaitMs: 2 });
    publishers.set(ctx, publish);
  }
  return publish({ scope, input }).then((r) => {
    if (r instanceof Error) throw r;
    return r;
  });
}

const publishers = new WeakMap<Ctx, (item: { scope: Scope; input: PublishEventInput }) => Promise<PublishResult | Error>>();

type Prepared = { input: PublishEventInput; id: string; customerId: string | null; body: string; now: Date };

/**
 * Checks a publish (writable scope, the customer it acts for, size) and serialises its body once:
 * those exact bytes are stored, signed and sent. Throws the refusal.
 */
function prepareEvent(ctx: Ctx, scope: Scope, input: PublishEventInput): Prepared {
  assertWritable(scope);
  const customerId = audienceOf(scope, input);
  const now = ctx.now();
  const id = newId('event', now.getTime());
  const body = eventBody(id, input.type, now, input.data);
  const size = Buffer.byteLength(body);
  if (size > ctx.config.maxPayloadBytes) {
    throw new DomainError('payload_too_large', `event is ${size} bytes, above the limit of ${ctx.config.maxPayloadBytes}`, { field: 'data' });
  }
  return { input, id, customerId, body, now };
}

/**
 * Who an event goes to: one customer, or (null) every customer. A broadcast is only ever asked for
 * (`"broadcast": true`, platform keys only), never inferred from a missing `customerId`: a platform
 * key names exactly one of the two; a customer key publishes for its own customer.
 */
function audienceOf(scope: Scope, input: PublishEventInput): string | null {
  if (input.broadcast === true) {
    if (input.customerId) throw badRequest('broadcast', 'give either customerId or "broadcast": true, not both');
    if (scope.kind === 'customer') throw new DomainError('forbidden', 'only a platform key may broadcast; a customer key publishes for its own customer', { field: 'broadcast' });
    return null;
  }
  if (scope.kind === 'platform' && !input.customerId) {
    throw badRequest('customerId', 'customerId is required with a platform key (or "broadcast": true to deliver to every customer)');
  }
  return actingCustomer(scope, input.customerId);
}

/** The delivery body: `{"id","type","timestamp","data"}`. */
function eventBody(id: string, type: string, now: Date, data: unknown): string {
  return JSON.stringify({ id, type, timestamp: now.toISOString(), data });
}

function retentionFrom(ctx: Ctx, now: Date): Date {
  return new Date(now.getTime() + ctx.config.retentionDays * 86400_000);
}

async function publishEvents(ctx: Ctx, items: Array<{ scope: Scope; input: PublishEventInput }>): Promise<Array<PublishResult | Error>> {
  const single = (i: { scope: Scope; input: PublishEventInput }) => publishEvent(ctx, i.scope, i.input).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  if (items.length === 1) return [await single(items[0]!)];
  // A publish the one-event path would refuse is left to it, so the error is exactly its error.
  const prepared: Array<Prepared | null> = items.map(({ scope, input }) => {
    try {
      return prepareEvent(ctx, scope, input);
    } catch {
      return null;
    }
  });
  // A publish the catalog refuses (schema, strict mode) is left to the one-event path too.
  try {
    const refusals = await checkEventData(ctx, items.map((i) => i.input));
    prepared.forEach((p, i) => { if (refusals[i]) prepared[i] = null; });
  } catch {
    prepared.fill(null);
  }
  let accepted: Array<PublishResult | null>;
  try {
    accepted = await ctx.db.transaction((tx) => acceptMany(ctx, tx, prepared));
  } catch {
    accepted = prepared.map(() => null);
  }
  // What the batch did not accept (refused, repeated, or the batch failed) goes through the
  // one-event path, which gives each its exact answer (error, idempotent repeat, or acceptance).
  return Promise.all(items.map(async (item, i) => {
    const r = accepted[i];
    if (!r) return single(item);
    metrics.eventsAccepted.inc({ scope: prepared[i]!.customerId ? 'customer' : 'broadcast' });
    metrics.eventsGroupCommitted.inc();
    return r;
  }));
}

async function acceptMany(ctx: Ctx, tx: Tx, prepared: Array<Prepared | null>): Promise<Array<PublishResult | null>> {
  const ok = prepared.filter((p): p is Prepared => p !== null);
  const customerIds = [...new Set(ok.map((p) => p.customerId).filter((c): c is string => c !== null))];
  const subs = customerIds.length
    ? await tx.select(candidateColumns).from(subscriptions).where(inArray(subscriptions.customerId, customerIds))
    : [];
  const byCustomer = new Map<string, typeof subs>();
  for (const s of subs) byCustomer.set(s.customerId, [...(byCustomer.get(s.customerId) ?? []), s]);
  // Same rule as publishEvent: a customer's event fans out inline unless the customer has very many subscriptions.
  const inlineOf = (p: Prepared): Routing | null => {
    if (!p.customerId) return null;
    const all = byCustomer.get(p.customerId) ?? [];
    return all.length >= INLINE_FANOUT_LIMIT ? null : targetsOf(all, p.input.type, lazyBody(p.body));
  };
  const inline = new Map(ok.map((p) => [p.id, inlineOf(p)]));
  const inserted = await tx
    .insert(events)
    .values(ok.map((p) => {
      const routing = inline.get(p.id);
      return {
        id: p.id, customerId: p.customerId, type: p.input.type, body: p.body, idempotencyKey: p.input.idempotencyKey ?? null, createdAt: p.now,
        retentionUntil: retentionFrom(ctx, p.now),
        ...(routing && { fannedOutAt: p.now, deliveryCount: routing.targets.length, ...filterDecisions(routing.filteredOut) }),
      };
    }))
    .onConflictDoNothing()
    .returning({ id: events.id });
  const fresh = new Set(inserted.map((e) => e.id));
  const mine = ok.filter((p) => fresh.has(p.id));
  await createDeliveriesFor(ctx, tx, mine.filter((p) => inline.get(p.id)).map((p) => ({ event: { id: p.id, customerId: p.customerId, type: p.input.type }, targets: inline.get(p.id)!.targets })));
  await enqueueMany(ctx.boss, 'fanout', mine.filter((p) => !inline.get(p.id)).map((p) => ({ data: { eventId: p.id } })), tx);
  return prepared.map((p) => {
    if (!p || !fresh.has(p.id)) return null;
    const routing = inline.get(p.id);
    return { id: p.id, deliveries: routing ? routing.targets.length : null, duplicate: false };
  });
}

/** The filter decisions an event row keeps for its routing trace (none: the column stays null). */
function filterDecisions(filteredOut: Routing['filteredOut']) {
  return filteredOut.length > 0 ? { filteredOut: filteredOut.slice(0, FILTER_TRACE_LIMIT) } : {};
}

/** JSON with object keys sorted, so two encodings of the same value compare equal. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

function isForeignKeyViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === '23503') return true;
  }
  return false;
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
  const id = newId('event', now.getTime());
  const type = 'hookrelay.test';
  const body = eventBody(id, type, now, { message: 'This is a test event from Hookrelay.', subscriptionId });
  const deliveryId = await ctx.db.transaction(async (tx) => {
    await tx.insert(events).values({ id, customerId: sub.customerId, type, body, createdAt: now, retentionUntil: retentionFrom(ctx, now), fannedOutAt: now, deliveryCount: 1 });
    await createDeliveries(ctx, tx, { id, customerId: sub.customerId, type }, [{ ...sub, pattern: null }]);
    const [d] = await tx.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.eventId, id));
    return d!.id;
  });
  return { id, deliveries: 1, duplicate: false, deliveryId };
}
