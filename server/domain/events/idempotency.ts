import { and, eq, inArray } from 'drizzle-orm';
import { broadcasts, eventKeys, events } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import { DomainError } from '../errors';
import { parseJsonExact } from '../../json';
import type { Prepared, PublishResult } from './prepare-event';

/**
 * Claims customers' idempotency keys in `event_keys` (unique across every partition of `events`)
 * before their events are inserted. Returns the ids of the events whose key was free; an event whose
 * key is already taken is a repeat and is not inserted.
 */
export async function claimKeys(tx: Tx, keys: Array<typeof eventKeys.$inferInsert>): Promise<Set<string>> {
  return new Set(
    keys.length
      ? (await tx.insert(eventKeys).values(keys).onConflictDoNothing().returning({ eventId: eventKeys.eventId })).map(
          (k) => k.eventId,
        )
      : [],
  );
}

/**
 * The answers to events that were not inserted because their idempotency key was used (by an
 * earlier request, or earlier in this batch): the first event when it is the same event (type, data,
 * channels, tags, ordering key), else a 409.
 */
export async function answerRepeats(tx: Tx, repeated: Prepared[]): Promise<Map<string, PublishResult | DomainError>> {
  const results = new Map<string, PublishResult | DomainError>();
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
          .where(
            and(
              inArray(eventKeys.key, keys(repeatedScoped)),
              inArray(eventKeys.customerId, [...new Set(repeatedScoped.map((p) => p.customerId!))]),
            ),
          )
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
        new DomainError(
          'conflict',
          `idempotencyKey "${p.input.idempotencyKey}" was already used for a different event (${first.id})`,
          {
            field: 'idempotencyKey',
          },
        ),
      );
    } else {
      results.set(p.id, { id: first.id, deliveries: first.deliveryCount, duplicate: true });
    }
  }
  return results;
}

/** JSON with object keys sorted, so two encodings of the same value compare equal. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : x,
  );
}
