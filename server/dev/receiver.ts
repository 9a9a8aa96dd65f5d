import { and, eq, inArray } from 'drizzle-orm';
import { deliveries, subscriptions } from '../../drizzle/schema';
import type { Ctx } from '../domain/context';
import { verificationKeyOf, verifyWebhook, WebhookVerificationError } from '../domain/delivery/signing';
import { decryptSecret, sealedIn } from '../domain/crypto';
import { addToInbox, type InboxEntry } from './inbox';

/**
 * The development receiver: a webhook endpoint inside the web app, so that `pnpm dev`'s demo
 * subscription has somewhere to deliver. It checks each request the way a customer's receiver
 * should: `webhook-id` is the event id; the subscriptions that event was delivered to are looked
 * up, and the signature must match one of their active secrets (current, and the rotating-out one
 * while it lasts) within the 5-minute timestamp window. Everything received goes to the inbox
 * (server/dev/inbox.ts), verified or not.
 */
export const DEV_RECEIVER_PATH = '/api/dev/receiver';
const MAX_BODY_CHARS = 64 * 1024;
const SHOWN_HEADERS = ['content-type', 'user-agent', 'webhook-id', 'webhook-timestamp', 'webhook-signature'];

export async function receiveDevWebhook(ctx: Ctx, headers: Headers, body: string): Promise<InboxEntry> {
  const webhookId = headers.get('webhook-id');
  const plain: Record<string, string> = {};
  headers.forEach((v, k) => (plain[k] = v));
  let eventType: string | null = null;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string')
      eventType = (parsed as { type: string }).type;
  } catch {
    // not JSON: shown as received
  }
  const candidates = webhookId ? await subscriptionsDeliveredTo(ctx, webhookId) : [];
  let match: (typeof candidates)[number] | undefined;
  let problem: string | null = webhookId ? null : 'no webhook-id header';
  if (webhookId && candidates.length === 0) problem = `no event ${webhookId} was delivered to a subscription`;
  for (const c of candidates) {
    try {
      for (const secret of secretsOf(ctx, c)) {
        try {
          verifyWebhook(secret, plain, body, { now: ctx.now().getTime() });
          match = c;
          break;
        } catch (err) {
          if (!(err instanceof WebhookVerificationError)) throw err;
          problem = err.message;
        }
      }
    } catch (err) {
      problem = `the subscription's secret could not be read: ${(err as Error).message}`;
    }
    if (match) break;
  }
  // Attributed to the event's customer even when the signature fails: that customer sees the failure.
  const owner = match ?? candidates[0];
  return addToInbox({
    receivedAt: ctx.now(),
    webhookId,
    eventType,
    customerId: owner?.customerId ?? null,
    subscriptionId: owner?.id ?? null,
    verified: match !== undefined,
    problem: match ? null : problem,
    headers: Object.fromEntries(SHOWN_HEADERS.filter((h) => plain[h] !== undefined).map((h) => [h, plain[h]!])),
    body: body.length > MAX_BODY_CHARS ? `${body.slice(0, MAX_BODY_CHARS)}…` : body,
  });
}

type Candidate = Pick<
  typeof subscriptions.$inferSelect,
  'id' | 'customerId' | 'secretEnc' | 'previousSecretEnc' | 'previousSecretExpiresAt'
>;

/** The subscriptions an event (every customer's copy, for a broadcast) was delivered to. */
async function subscriptionsDeliveredTo(ctx: Ctx, eventId: string): Promise<Candidate[]> {
  const rows = await ctx.db
    .selectDistinct({ subscriptionId: deliveries.subscriptionId, customerId: deliveries.customerId })
    .from(deliveries)
    .where(eq(deliveries.eventId, eventId))
    .limit(50);
  if (rows.length === 0) return [];
  const found: Candidate[] = [];
  for (const customerId of new Set(rows.map((r) => r.customerId))) {
    const ids = rows.filter((r) => r.customerId === customerId).map((r) => r.subscriptionId);
    found.push(
      ...(await ctx.db
        .select({
          id: subscriptions.id,
          customerId: subscriptions.customerId,
          secretEnc: subscriptions.secretEnc,
          previousSecretEnc: subscriptions.previousSecretEnc,
          previousSecretExpiresAt: subscriptions.previousSecretExpiresAt,
        })
        .from(subscriptions)
        .where(and(eq(subscriptions.customerId, customerId), inArray(subscriptions.id, ids)))),
    );
  }
  return found;
}

/** What the receiver verifies with: the `whsec_` secret (or `whpk_` public key), and the rotating-out one while it lasts. */
function secretsOf(ctx: Ctx, c: Candidate): string[] {
  const out = [decryptSecret(ctx.keys, c.secretEnc, sealedIn.subscriptionSecret(c.id))];
  if (c.previousSecretEnc && c.previousSecretExpiresAt && c.previousSecretExpiresAt > ctx.now())
    out.push(decryptSecret(ctx.keys, c.previousSecretEnc, sealedIn.subscriptionSecret(c.id)));
  return out.map(verificationKeyOf);
}
