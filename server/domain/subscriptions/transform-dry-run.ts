import { and, desc, eq } from 'drizzle-orm';
import { events } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { DomainError, invalidInput, notFound } from '../errors';
import { eventVisibility } from '../events/event-reads';
import { newId } from '../ids';
import type { TestTransformInput } from './inputs';
import { actingCustomer, assertWritable } from '../scope';
import { checkTransformSource } from '../delivery/sandbox';
import { applyTransform, type WebhookRequest } from '../delivery/transform';

/**
 * A dry run has no subscription: the webhook it hands the transform carries this URL and no custom
 * headers. A transform that returns another `url` has it checked like a real attempt would.
 */
const DRY_RUN_URL = 'https://example.com/webhook';

export type TransformDryRun = {
  /** The event it ran on; null: a sample event, the customer having published none. */
  event: { id: string; type: string } | null;
  /** What would be sent without the transform (`body`: the event's exact JSON). */
  before: WebhookRequest;
  /** What would be sent with it; null when it cancelled or failed. */
  after: WebhookRequest | null;
  cancelled: boolean;
  /** Why an attempt would fail: `transform` (retried) or `blocked_target` (the URL guard; dead at once). */
  error: { class: 'transform' | 'blocked_target'; message: string } | null;
  /** CPU time the transform took, of its 50 ms. */
  cpuMs: number;
};

/**
 * `POST /subscriptions/test-transform`: runs a transformation on one of the customer's events (the
 * given one, or its most recent) exactly as an attempt would, and shows the webhook before and after.
 * Nothing is sent or stored. An authoring aid for a subscription, so, like creating one, refused to a
 * read-only session. Source that does not compile or define `transform` is a 400 as it is on save.
 */
export async function testTransform(ctx: Ctx, scope: Scope, input: TestTransformInput): Promise<TransformDryRun> {
  assertWritable(scope);
  const customerId = actingCustomer(scope, input.customerId);
  const reason = await checkTransformSource(input.transform);
  if (reason) throw invalidInput([{ field: 'transform', reason }]);
  const [event] = await ctx.db
    .select({ id: events.id, type: events.type, body: events.body, expungedAt: events.expungedAt })
    .from(events)
    .where(and(eventVisibility(customerId), input.eventId ? eq(events.id, input.eventId) : undefined))
    .orderBy(desc(events.id))
    .limit(1);
  if (!event && input.eventId) throw notFound('event');
  if (event?.expungedAt)
    throw new DomainError(
      'conflict',
      `event ${event.id}'s payload was expunged: there is nothing to transform; name another event`,
      {
        field: 'eventId',
      },
    );
  const now = ctx.now();
  const sample = { id: newId('event', now.getTime()), type: 'hookrelay.test' };
  const body =
    event?.body ??
    JSON.stringify({
      ...sample,
      timestamp: now.toISOString(),
      data: { message: 'A sample event: publish one to try this on.' },
    });
  const before: WebhookRequest = { url: DRY_RUN_URL, headers: {}, body };
  const t = await applyTransform(ctx, input.transform, before, event?.type ?? sample.type);
  return {
    event: event ? { id: event.id, type: event.type } : null,
    before,
    after: t.kind === 'send' ? t.request : null,
    cancelled: t.kind === 'cancelled',
    error: t.kind === 'failed' ? { class: t.errorClass, message: t.message } : null,
    cpuMs: t.cpuMs,
  };
}
