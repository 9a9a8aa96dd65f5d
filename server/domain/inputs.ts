import { z } from 'zod';
import { deliveryStatuses } from '../../drizzle/schema/values';
import { idPattern, idPrefix, type IdKind } from './ids';
import { validateEventType, validatePattern } from './patterns';
import { text } from '../json';
import { withArticle } from './wording';

/**
 * The pieces every API input schema is built from: ids, pages, times, event types, channels, tags.
 * The input schemas themselves sit with their stage (`<stage>/inputs.ts`), defined once and reused by
 * tRPC, REST (and its OpenAPI document) and forms. Every object is strict: a field it does not know is a 400 naming it, never ignored (a typo'd
 * `customer_id` must not turn one customer's event into a broadcast). Every string is a `text()`
 * and every free-form JSON value goes through `checkJson` (server/domain/json.ts): a NUL or a lone
 * surrogate anywhere, or nesting deeper than 64 levels, is a 400 naming the field.
 */
export const eventType = text().superRefine((v, ctx) => {
  const reason = validateEventType(v);
  if (reason) ctx.addIssue({ code: 'custom', message: `event type ${reason}` });
});

export const eventTypePattern = text().superRefine((v, ctx) => {
  const reason = validatePattern(v);
  if (reason) ctx.addIssue({ code: 'custom', message: `pattern "${v}": ${reason}` });
});

export const idempotencyKey = text().min(1).max(200);

/** An ordering key: 1 to 256 characters, no control characters (server/domain/delivery/lanes.ts). */
const ORDERING_KEY_MAX = 256;
export const orderingKey = text()
  .min(1, 'an ordering key cannot be empty')
  .max(ORDERING_KEY_MAX, `an ordering key is at most ${ORDERING_KEY_MAX} characters`)
  .regex(/^\P{Cc}*$/u, 'an ordering key cannot hold control characters')
  .describe(
    `Ordering lane: within each subscription, events with the same key are attempted one at a time, in publish order (a failing one holds the ones behind it). 1 to ${ORDERING_KEY_MAX} characters. Absent: unordered`,
  )
  .meta({ examples: ['order_1234'] });

/** Channels and tags: how many an event or a subscription may carry, and how long each may be. */
const CHANNELS_PER_EVENT = 10;
const CHANNELS_PER_SUBSCRIPTION = 20;
const TAGS_PER_EVENT = 10;
const NAME_MAX = 64;

/** A channel name: 1 to 64 of `A-Z a-z 0-9 . _ : -` (safe in a URL, a log line and a SQL array literal). */
export const channelName = text()
  .min(1, 'a channel name cannot be empty')
  .max(NAME_MAX, `a channel name is at most ${NAME_MAX} characters`)
  .regex(/^[A-Za-z0-9._:-]*$/, 'a channel name is made of A-Z a-z 0-9 . _ : - only')
  .meta({ examples: ['eu-west'] });

/** A tag: 1 to 64 characters, no control characters. */
export const tagName = text()
  .min(1, 'a tag cannot be empty')
  .max(NAME_MAX, `a tag is at most ${NAME_MAX} characters`)
  .regex(/^\P{Cc}*$/u, 'a tag cannot hold control characters')
  .meta({ examples: ['order:1234'] });

/**
 * A list of names without repeats: a name given twice is a 400 naming the second place
 * (`channels.3`), not silently merged, so what is stored is exactly what was sent.
 */
function nameList(item: typeof channelName, max: number, what: string) {
  return z
    .array(item)
    .max(max, `at most ${max} ${what}`)
    .superRefine((names, ctx) => {
      const seen = new Map<string, number>();
      names.forEach((n, i) => {
        const first = seen.get(n);
        if (first === undefined) seen.set(n, i);
        else ctx.addIssue({ code: 'custom', path: [i], message: `"${n}" is given twice (also at ${first})` });
      });
    });
}
export const eventChannels = nameList(channelName, CHANNELS_PER_EVENT, 'channels').describe(
  `The channels the event is in (at most ${CHANNELS_PER_EVENT}; each 1 to ${NAME_MAX} of \`A-Z a-z 0-9 . _ : -\`, no repeats). A subscription that names channels receives only events in at least one of them`,
);
export const eventTags = nameList(tagName, TAGS_PER_EVENT, 'tags').describe(
  `Labels for searching the event log (\`GET /events?tag=\`), at most ${TAGS_PER_EVENT} of 1 to ${NAME_MAX} characters, no repeats; they route nothing`,
);
export const subscriptionChannels = nameList(channelName, CHANNELS_PER_SUBSCRIPTION, 'channels')
  .describe(
    `Receive only events in at least one of these channels (at most ${CHANNELS_PER_SUBSCRIPTION}, no repeats). Empty or absent: every event, whatever its channels`,
  )
  .meta({ examples: [['eu-west', 'orders']] });

const idNames: Record<IdKind, string> = {
  customer: 'customer',
  user: 'user',
  apiKey: 'API key',
  portalToken: 'portal token',
  subscription: 'subscription',
  event: 'event',
  delivery: 'delivery',
  attempt: 'attempt',
  replay: 'replay',
  expunge: 'data expunge',
  worker: 'worker',
  audit: 'audit entry',
  operationalWebhook: 'operational webhook',
  operationalEvent: 'operational event',
  operationalDelivery: 'operational delivery',
};

/**
 * A prefixed id of one kind (`sub_01J…`). A malformed id, or one of another kind (an event id where a
 * delivery id belongs), is a 400 naming the field, not a silent 404.
 */
export function idOf(kind: IdKind) {
  const prefix = idPrefix(kind);
  return z
    .string()
    .regex(idPattern(kind), `must be ${withArticle(idNames[kind])} id (${prefix}_…)`)
    .meta({ examples: [`${prefix}_01JZ3K8Q9V7W2X4Y6A8B0C2D4E`] });
}

/** Keyset pagination over ids (time-sortable, unique): `cursor` is the last id of the previous page. */
export function pageOf(kind: IdKind) {
  return {
    limit: count(z.coerce.number().int().min(1).max(200)).default(50).describe('Page size (1 to 200, default 50)'),
    cursor: idOf(kind).optional().describe('`nextCursor` of the previous page'),
  };
}

/** Filter on event types: an exact type or a subscription pattern (`charge.*`, `charge.**`, `*`). */
export const eventTypeFilter = eventTypePattern.describe(
  'Exact type or pattern: `charge.*` (one segment), `charge.**` (any depth), `*`',
);

export const deliveryStatus = z.enum(deliveryStatuses);

/** A yes/no option: a boolean over tRPC, `true` or `false` in a REST query string. */
export const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/**
 * A point in time: an ISO 8601 string (REST query strings, tRPC over JSON) or a Date (a tRPC caller
 * in process), within the years 1 to 9999 (what JavaScript prints and PostgreSQL compares without an
 * error: a year such as -271821 is a valid Date, and made a query fail). Anything else says what it expects.
 */
export const dateTime = () =>
  z.preprocess(
    // Only a string or a Date is a time: a number, boolean or null would be coerced to 1970.
    (v) => (typeof v === 'string' || v instanceof Date || v === undefined ? v : 'not a date-time'),
    z.coerce
      .date({ error: 'expected an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z' })
      .min(new Date('0001-01-01T00:00:00.000Z'), 'must be within the years 1 to 9999')
      .max(new Date('9999-12-31T23:59:59.999Z'), 'must be within the years 1 to 9999'),
  );

/**
 * A whole number given as a number (tRPC) or a numeric string (a REST query string): a boolean or
 * null would be coerced to 1 or 0.
 */
export function count<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (v) => (typeof v === 'string' || typeof v === 'number' || v === undefined ? v : 'not a number'),
    schema,
  );
}

export const from = dateTime().optional().describe('Created at or after (ISO 8601)');
export const to = dateTime().optional().describe('Created at or before (ISO 8601)');
export const customerFilter = idOf('customer')
  .optional()
  .describe('Platform key: only this customer (a customer key may only name itself)');
