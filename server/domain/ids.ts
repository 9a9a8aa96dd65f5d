import { createHash, randomBytes } from 'node:crypto';

/**
 * Prefixed, time-sortable ids: `evt_01J...`. 48 bits of milliseconds then 80 random bits, Crockford
 * base32, so ids sort by creation time (cursor pagination orders by id) and say what they are.
 */
const prefixes = {
  customer: 'cus',
  user: 'usr',
  apiKey: 'key',
  portalToken: 'ptk',
  subscription: 'sub',
  event: 'evt',
  delivery: 'dlv',
  attempt: 'att',
  replay: 'rpl',
  expunge: 'exp',
  worker: 'wrk',
  audit: 'aud',
  operationalWebhook: 'owh',
  operationalEvent: 'oev',
  operationalDelivery: 'odl',
} as const;

export type IdKind = keyof typeof prefixes;
/**
 * An id of one kind, as `newId` makes it and `isId` checks it. The API validates ids by pattern at
 * the door (inputs.ts `idOf`), so domain functions take plain strings.
 */
export type Id<K extends IdKind> = string & { readonly __id: K };

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newId<K extends IdKind>(kind: K, now: number = Date.now()): Id<K> {
  return `${prefixes[kind]}_${timePart(now)}${base32(randomBytes(10))}` as Id<K>;
}

/**
 * An event id. Those this process makes sort in the order it made them, within one millisecond too:
 * the random part of the next id of the same millisecond is the previous one's plus a random step
 * (the first of each millisecond starts in the lower half, so it cannot run out). Ordering lanes
 * attempt a lane's deliveries in event id order, which is then publish order.
 */
export function newEventId(now: number = Date.now()): Id<'event'> {
  const time = timePart(now);
  let random: bigint;
  if (lastEvent?.time === time) random = lastEvent.random + 1n + BigInt(randomBytes(2).readUInt16BE(0));
  else {
    const bytes = randomBytes(10);
    bytes[0]! &= 0x7f;
    random = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  }
  lastEvent = { time, random };
  return `${prefixes.event}_${time}${base32(bigintBytes(random))}` as Id<'event'>;
}
let lastEvent: { time: string; random: bigint } | null = null;

/** An 80-bit number as 10 bytes, most significant first. */
function bigintBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(10);
  for (let i = 9; i >= 0; i--) {
    out[i] = Number(n & 255n);
    n >>= 8n;
  }
  return out;
}

/**
 * The id of the delivery of `eventId` to `subscriptionId`: the event's time, then 80 bits of a hash
 * of the pair. The same pair always gives the same id, so a fan-out that runs twice creates nothing
 * twice (the primary key says so), and the delivery sorts, and is partitioned, with its event.
 */
export function deliveryIdOf(eventId: string, subscriptionId: string): Id<'delivery'> {
  const digest = createHash('sha256').update(eventId).update('\u0000').update(subscriptionId).digest();
  return `${prefixes.delivery}_${eventId.slice(4, 14)}${base32(digest.subarray(0, 10))}` as Id<'delivery'>;
}

/**
 * The smallest id of this kind made at `ms` or later: ids compare as their times do, so a range of
 * ids is a range of time (the partition bounds of server/domain/upkeep/partitions.ts).
 */
export function idFloor(kind: IdKind, ms: number): string {
  return `${prefixes[kind]}_${timePart(ms)}`;
}

/** When an id was made (its first 48 bits). */
export function timeOfId(id: string): number {
  let t = 0;
  for (const c of id.slice(4, 14)) t = t * 32 + alphabet.indexOf(c);
  return t;
}

/** 48 bits of milliseconds as 10 Crockford base32 characters (times outside them clamped to the ends). */
function timePart(ms: number): string {
  let time = '';
  let t = Math.min(Math.max(Math.floor(ms), 0), 2 ** 48 - 1);
  for (let i = 0; i < 10; i++) {
    time = alphabet[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** 10 bytes (80 bits) as 16 base32 characters. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0n;
  for (const b of bytes) acc = (acc << 8n) | BigInt(b);
  for (let i = 0; i < 16; i++) {
    out = alphabet[Number(acc & 31n)]! + out;
    acc >>= 5n;
  }
  return out;
}

export function idPrefix(kind: IdKind): string {
  return prefixes[kind];
}

/** What a well-formed id of this kind looks like. */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${prefixes[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`);
}

export function isId<K extends IdKind>(kind: K, value: string): value is Id<K> {
  return idPattern(kind).test(value);
}
