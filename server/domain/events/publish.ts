import type { Ctx, Scope } from '../context';
import { DomainError } from '../errors';
import type { PublishEventInput } from './inputs';
import { endPublishSpan, startPublishSpan } from '../../tracing-spans';
import { type TraceSpan } from '../../tracing-spans';
import { acceptEvents, countAccepted } from './accept-events';
import { prepareEvent, type PublishResult } from './prepare-event';
import { checkEventData } from './type-catalog';

/**
 * Accepts an event. The event row and its fan-out are made durable in one transaction: a
 * customer-scoped event gets its deliveries and their first jobs inline (one hop fewer); a broadcast,
 * or a customer with very many subscriptions, gets a `fanout` job. Either way, once this returns the
 * event cannot be lost. The body is serialised once here: those exact bytes are signed and sent.
 * Same idempotency key (per customer, or per broadcast) and same event returns the first event, with no
 * second fan-out; a different event under a used key is a 409.
 *
 * The REST route publishes through the group commit (group-commit.ts) and the batch route through
 * publish-batch.ts, with the same rules (accept-events.ts); this one publish in its own transaction
 * serves tests and benches.
 */
export async function publishEvent(ctx: Ctx, scope: Scope, input: PublishEventInput): Promise<PublishResult> {
  return traced(startPublishSpan(), (span) => publishOne(ctx, scope, input, span));
}

/** Runs a publish under its span (none when tracing is off) and ends the span with the outcome. */
async function traced(
  span: TraceSpan | undefined,
  fn: (span: TraceSpan | undefined) => Promise<PublishResult>,
): Promise<PublishResult> {
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

/** One publish in its own transaction, under the caller's span (ended by the caller). */
export async function publishOne(
  ctx: Ctx,
  scope: Scope,
  input: PublishEventInput,
  span: TraceSpan | undefined,
): Promise<PublishResult> {
  const prepared = prepareEvent(ctx, scope, input, span);
  // The event-type catalog: a type's schema must hold on `data` (and, if strict, the type must be listed).
  const [refusal] = await checkEventData(ctx, [input]);
  if (refusal) throw refusal;
  const [result] = await ctx.db.transaction((tx) => acceptEvents(ctx, tx, [prepared]));
  if (result instanceof DomainError) throw result;
  countAccepted([prepared], [result!]);
  return result!;
}
