import { metrics } from '../../metrics';
import { batcher } from '../../batch';
import type { Ctx, Scope } from '../context';
import { DomainError } from '../errors';
import type { PublishEventInput } from './inputs';
import { endPublishSpan, startPublishSpan } from '../../tracing-spans';
import { type TraceSpan } from '../../tracing-spans';
import { acceptEvents, countAccepted } from './accept-events';
import { prepareEvent, refuseByCatalog, type Prepared, type PublishResult } from './prepare-event';
import { publishOne } from './publish';

/**
 * Group commit for publishing: concurrent single publishes of one process that arrive within 2 ms
 * (up to 64) are accepted in one transaction by `acceptEvents`, instead of one transaction of ~8
 * round trips each. Each caller still gets its own result (or error), returned only after the
 * commit. If the shared transaction fails as a whole, each event is retried alone, so one caller's
 * problem never becomes another's.
 *
 * At most GROUP_COMMITS_IN_FLIGHT of those transactions run at once; publishes that arrive meanwhile
 * wait for the next one, so batches grow with the load instead of transactions multiplying and
 * queueing for the cores (docs/performance.md). One that runs past GROUP_COMMIT_STALL_MS (stuck on a
 * lock) no longer counts.
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
    await refuseByCatalog(ctx, prepared);
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
  if (valid.length > 1)
    metrics.eventsGroupCommitted.inc({}, accepted.filter((r) => !(r instanceof DomainError) && !r.duplicate).length);
  const byId = new Map(valid.map((p, i) => [p.id, accepted[i]!]));
  return prepared.map((p) => (p instanceof Error ? p : byId.get(p.id)!));
}
