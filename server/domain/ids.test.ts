import { describe, expect, it } from 'vitest';
import { deliveryIdOf, idFloor, isId, newEventId, newId, timeOfId, type IdKind } from './ids';

const kinds: Array<[IdKind, string]> = [
  ['customer', 'cus'],
  ['user', 'usr'],
  ['apiKey', 'key'],
  ['portalToken', 'ptk'],
  ['subscription', 'sub'],
  ['event', 'evt'],
  ['delivery', 'dlv'],
  ['attempt', 'att'],
  ['replay', 'rpl'],
];

describe('newEventId', () => {
  it('sorts in the order the ids were made, within one millisecond too', () => {
    const at = Date.UTC(2026, 11, 7);
    const ids = Array.from({ length: 5000 }, (_, i) => newEventId(at + Math.floor(i / 1000)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(isId('event', id)).toBe(true);
    expect(timeOfId(ids[0]!)).toBe(at);
    expect(timeOfId(ids.at(-1)!)).toBe(at + 4);
  });

  it('starts each millisecond at a random place', () => {
    const a = newEventId(Date.UTC(2026, 11, 8));
    const b = newEventId(Date.UTC(2026, 11, 8) + 1);
    expect(a.slice(14)).not.toBe(b.slice(14));
  });
});

describe('newId', () => {
  it.each(kinds)('%s ids carry the %s_ prefix and 26 Crockford base32 characters', (kind, prefix) => {
    const id = newId(kind);
    expect(id).toMatch(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`));
    expect(isId(kind, id)).toBe(true);
  });

  it('encodes the time first, so ids sort by creation time', () => {
    const times = [0, 1, 31, 32, 1_000_000, Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1, Date.UTC(2099, 11, 31)];
    const ids = times.map((t) => newId('event', t));
    expect([...ids].sort()).toEqual(ids);
    expect(newId('event', 0).slice(4, 14)).toBe('0000000000');
    expect(newId('event', 33).slice(4, 14)).toBe('0000000011');
  });

  it('is unique within one millisecond', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('delivery', now)));
    expect(ids.size).toBe(10_000);
  });
});

describe('isId', () => {
  it('checks the kind and the shape', () => {
    const id = newId('subscription');
    expect(isId('subscription', id)).toBe(true);
    expect(isId('event', id)).toBe(false);
    expect(isId('subscription', id.toLowerCase())).toBe(false);
    expect(isId('subscription', `${id}0`)).toBe(false);
    expect(isId('subscription', id.slice(0, -1))).toBe(false);
    expect(isId('subscription', `${id.slice(0, -1)}U`)).toBe(false); // U is not in the Crockford alphabet
    expect(isId('subscription', `x${id}`)).toBe(false);
  });
});

describe('deliveryIdOf', () => {
  const event = newId('event', Date.UTC(2026, 10, 29, 23, 59, 59, 999));
  const [a, b] = [newId('subscription'), newId('subscription')];

  it('is a delivery id carrying its event time, the same for the same pair and different for another', () => {
    const id = deliveryIdOf(event, a);
    expect(isId('delivery', id)).toBe(true);
    expect(id.slice(4, 14)).toBe(event.slice(4, 14));
    expect(timeOfId(id)).toBe(Date.UTC(2026, 10, 29, 23, 59, 59, 999));
    expect(deliveryIdOf(event, a)).toBe(id);
    expect(deliveryIdOf(event, b)).not.toBe(id);
    expect(deliveryIdOf(newId('event', Date.UTC(2026, 10, 29, 23, 59, 59, 999)), a)).not.toBe(id);
  });

  it('falls between the id floors of its event time and the next millisecond', () => {
    const t = Date.UTC(2026, 10, 29, 23, 59, 59, 999);
    const id = deliveryIdOf(event, a);
    expect(id >= idFloor('delivery', t)).toBe(true);
    expect(id < idFloor('delivery', t + 1)).toBe(true);
    // Midnight is a partition bound: the last millisecond before it sorts below it.
    expect(id < idFloor('delivery', Date.UTC(2026, 10, 30))).toBe(true);
  });
});

describe('idFloor', () => {
  it('clamps times before 1970 and past 48 bits to the first and last id, so a range stays a range', () => {
    expect(idFloor('event', Date.UTC(1900, 0, 1))).toBe('evt_0000000000');
    expect(idFloor('event', 2 ** 50)).toBe('evt_7ZZZZZZZZZ');
    expect(idFloor('event', Date.UTC(1900, 0, 1)) <= newId('event')).toBe(true);
  });
});

describe('timeOfId', () => {
  it('reads back the time newId wrote', () => {
    for (const t of [0, 33, Date.UTC(2026, 0, 1), Date.UTC(2099, 11, 31, 12)])
      expect(timeOfId(newId('attempt', t))).toBe(t);
  });
});
