import { z } from 'zod';
import { text } from '../../json';
import { customerFilter, dateTime, eventTypeFilter, eventTypePattern, from, idOf, pageOf, to } from '../inputs';

/** Replay and backfill inputs (rules: server/domain/inputs.ts). */

export const createReplayInput = z.strictObject({
  customerId: idOf('customer').optional().describe('Required with a platform key'),
  subscriptionId: idOf('subscription').optional(),
  eventType: eventTypeFilter.optional(),
  from,
  to,
});

export const listReplaysInput = z.strictObject({
  customerId: customerFilter,
  kind: z
    .enum(['replay', 'backfill'])
    .default('replay')
    .describe(
      "`replay` (default): replays of dead letters; `backfill`: every subscription's backfills (one subscription's: `GET /subscriptions/{id}/backfills`)",
    ),
  ...pageOf('replay'),
});

/** Backfill ("send past events") of a subscription: the range, and optionally narrower event types. */
const backfillRange = {
  id: idOf('subscription'),
  from: dateTime().describe(
    "Send events published at or after this time (ISO 8601, required). Older than the customer's retention window: from the oldest time still kept (`clampedFrom` says so)",
  ),
  to: dateTime().optional().describe('…and before this time (ISO 8601; default and at most: now)'),
};
const backfillPatterns = z.array(eventTypePattern).min(1).max(100);

export const backfillInput = z.strictObject({
  ...backfillRange,
  eventTypes: backfillPatterns
    .optional()
    .describe(
      "Only events of these types or patterns (as in a subscription), among those the subscription's own patterns match",
    )
    .meta({ examples: [['order.*']] }),
});
export const backfillPreviewInput = z.strictObject({
  ...backfillRange,
  eventTypes: text()
    .transform((v) => v.split(','))
    .pipe(backfillPatterns)
    .optional()
    .describe(
      "Only events of these types or patterns, comma-separated (`order.*,invoice.paid`), among those the subscription's own patterns match",
    ),
});

export const listBackfillsInput = z.strictObject({ id: idOf('subscription'), ...pageOf('replay') });
