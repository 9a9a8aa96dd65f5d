import type { Ctx, Scope } from '../context';
import { badRequest, DomainError } from '../errors';
import { newEventId } from '../ids';
import { actingCustomer, assertWritable } from '../scope';
import type { PublishEventInput } from './inputs';
import { describePublish } from '../../tracing-spans';
import { type TraceSpan } from '../../tracing-spans';
import { checkEventData } from './type-catalog';

export type PublishResult = { id: string; deliveries: number | null; duplicate: boolean };

/** `span`: the event's publish span (tracing on); its traceparent is stored with the event. `size`: the body's bytes. */
export type Prepared = {
  input: PublishEventInput;
  id: string;
  customerId: string | null;
  body: string;
  size: number;
  now: Date;
  span: TraceSpan | undefined;
};

/**
 * Checks a publish (writable scope, the customer it acts for, size) and serialises its body once:
 * those exact bytes are stored, signed and sent. Throws the refusal.
 */
export function prepareEvent(ctx: Ctx, scope: Scope, input: PublishEventInput, span: TraceSpan | undefined): Prepared {
  assertWritable(scope);
  const customerId = audienceOf(scope, input);
  const now = ctx.now();
  const id = newEventId(now.getTime());
  const body = eventBody(id, input.type, now, input.data);
  const size = Buffer.byteLength(body);
  if (size > ctx.config.maxPayloadBytes) {
    throw new DomainError(
      'payload_too_large',
      `event is ${size} bytes, above the limit of ${ctx.config.maxPayloadBytes}`,
      { field: 'data' },
    );
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
      throw new DomainError(
        'forbidden',
        'only a platform key may broadcast; a customer key publishes for its own customer',
        { field: 'broadcast' },
      );
    return null;
  }
  if (scope.kind === 'platform' && !input.customerId) {
    throw badRequest(
      'customerId',
      'customerId is required with a platform key (or "broadcast": true to deliver to every customer)',
    );
  }
  return actingCustomer(scope, input.customerId);
}

/**
 * The delivery body: `{"id","type","timestamp","data"}`. `data` was parsed with its numbers kept
 * exact (server/domain/json.ts), which JSON.stringify writes back verbatim: receivers get the numbers
 * as published, and the signature covers them.
 */
export function eventBody(id: string, type: string, now: Date, data: unknown): string {
  return JSON.stringify({ id, type, timestamp: now.toISOString(), data });
}

/**
 * The event-type catalog's check of several prepared publishes (the items already refused are left
 * as they are): each item whose type is refused, or whose `data` does not hold its type's schema, is
 * replaced in `items` by its 400. Returns the items refused here, with their refusals.
 */
export async function refuseByCatalog(
  ctx: Ctx,
  items: Array<Prepared | Error>,
): Promise<Array<{ prepared: Prepared; refusal: DomainError }>> {
  const checkable = items
    .map((p, i) => ({ p, i }))
    .filter((x): x is { p: Prepared; i: number } => !(x.p instanceof Error));
  const refusals = await checkEventData(
    ctx,
    checkable.map((x) => x.p.input),
  );
  return checkable.flatMap((x, k) => {
    const refusal = refusals[k];
    if (!refusal) return [];
    items[x.i] = refusal;
    return [{ prepared: x.p, refusal }];
  });
}
