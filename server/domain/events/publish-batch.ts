import { metrics } from '../../metrics';
import type { Ctx, Scope } from '../context';
import { badRequest, DomainError, invalidInput, issuesOfZod, type ErrorCode, type FieldIssue } from '../errors';
import { assertWritable } from '../scope';
import { publishEventInput } from './inputs';
import { endPublishSpan, startPublishSpan } from '../../tracing-spans';
import { acceptEvents, countAccepted } from './accept-events';
import { prepareEvent, refuseByCatalog, type Prepared, type PublishResult } from './prepare-event';

type PublishError = { code: ErrorCode; field?: string; reason: string; errors?: FieldIssue[] };
type BatchItemResult = { id: string; deliveries: number | null; duplicate: boolean } | { error: PublishError };

const MAX_BATCH = 500;

/**
 * `POST /events/batch`: up to MAX_BATCH events in one request and one transaction. Each item is
 * checked on its own (input, audience, size, idempotency) and answered in order, `{id, deliveries}`
 * or `{error: {code, field, reason}}`; a refused item changes nothing and does not stop the others.
 */
export async function publishBatch(ctx: Ctx, scope: Scope, items: unknown[]): Promise<{ results: BatchItemResult[] }> {
  assertWritable(scope);
  if (items.length > MAX_BATCH)
    throw badRequest('events', `at most ${MAX_BATCH} events per batch (got ${items.length})`);
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
  for (const { prepared: p, refusal } of await refuseByCatalog(ctx, prepared)) endPublishSpan(p.span, refusal);
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
  return {
    code: e.code,
    ...(e.field && { field: e.field }),
    reason: first?.reason ?? e.message,
    ...(e.issues && e.issues.length > 1 && { errors: e.issues }),
  };
}
