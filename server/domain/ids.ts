import { randomBytes } from 'node:crypto';

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
  worker: 'wrk',
  audit: 'aud',
  operationalWebhook: 'owh',
  operationalEvent: 'oev',
  operationalDelivery: 'odl',
} as const;

export type IdKind = keyof typeof prefixes;
/**
 * An id of one kind, as `newId` makes it and `isId` checks it. The API validates ids by pattern at
 * the door (schemas.ts `idOf`), so domain functions take plain strings.
 */
export type Id<K extends IdKind> = string & { readonly __id: K };

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newId<K extends IdKind>(kind: K, now: number = Date.now()): Id<K> {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = alphabet[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(10);
  let rand = '';
  // 80 bits -> 16 base32 characters
  let acc = 0n;
  for (const b of bytes) acc = (acc << 8n) | BigInt(b);
  for (let i = 0; i < 16; i++) {
    rand = alphabet[Number(acc & 31n)]! + rand;
    acc >>= 5n;
  }
  return `${prefixes[kind]}_${time}${rand}` as Id<K>;
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
