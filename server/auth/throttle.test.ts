import { describe, expect, it } from 'vitest';
import { clientAddress, createSignInThrottle } from './throttle';

const limits = { perEmail: 3, perIp: 5, windowMs: 60_000 };
const t0 = 1_700_000_000_000;

describe('sign-in throttle', () => {
  it('allows the limit of failures per email, then refuses until the oldest ages out', () => {
    const th = createSignInThrottle(limits);
    const keys = { email: 'ops@acme.example', ip: '10.0.0.1' };
    for (let i = 0; i < 3; i++) {
      expect(th.retryAfterSeconds(keys, t0 + i * 1000)).toBe(0);
      th.failed(keys, t0 + i * 1000);
    }
    expect(th.retryAfterSeconds(keys, t0 + 3000)).toBe(57);
    // The same email from another address, in another case, is refused too.
    expect(th.retryAfterSeconds({ email: ' OPS@acme.example', ip: '10.9.9.9' }, t0 + 3000)).toBe(57);
    expect(th.retryAfterSeconds(keys, t0 + 59_999)).toBe(1);
    expect(th.retryAfterSeconds(keys, t0 + 60_000)).toBe(0);
  });

  it('counts failures per address across emails', () => {
    const th = createSignInThrottle(limits);
    for (let i = 0; i < 5; i++) th.failed({ email: `u${i}@x.example`, ip: '10.0.0.2' }, t0);
    expect(th.retryAfterSeconds({ email: 'fresh@x.example', ip: '10.0.0.2' }, t0 + 10_000)).toBe(50);
    expect(th.retryAfterSeconds({ email: 'fresh@x.example', ip: '10.0.0.3' }, t0 + 10_000)).toBe(0);
  });

  it('a success clears the email, not the address', () => {
    const th = createSignInThrottle(limits);
    const keys = { email: 'a@x.example', ip: '10.0.0.4' };
    for (let i = 0; i < 3; i++) th.failed(keys, t0);
    th.succeeded(keys);
    expect(th.retryAfterSeconds(keys, t0)).toBe(0);
    th.failed({ ...keys, email: 'b@x.example' }, t0);
    th.failed({ ...keys, email: 'c@x.example' }, t0);
    expect(th.retryAfterSeconds(keys, t0)).toBeGreaterThan(0); // 3 + 2 failures from this address
  });
});

describe('client address', () => {
  it('without a proxy (TRUSTED_PROXIES=0): the peer, the last entry the server appended; what the client wrote is ignored', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '1.2.3.4, 198.51.100.7' }), 0)).toBe('198.51.100.7');
    expect(clientAddress(new Headers({ 'x-forwarded-for': '198.51.100.9' }), 0)).toBe('198.51.100.9');
    expect(clientAddress(new Headers({ 'x-real-ip': '198.51.100.8' }), 0)).toBe('unknown');
    expect(clientAddress(new Headers(), 0)).toBe('unknown');
  });

  it('behind N proxies: the entry N places before the last, never one the client could have written', () => {
    // client-written, the client as the proxy saw it, the proxy as the server saw it.
    const h = new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.5, 10.0.0.2' });
    expect(clientAddress(h, 1)).toBe('203.0.113.5');
    expect(clientAddress(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.5, 10.0.0.3, 10.0.0.2' }), 2)).toBe(
      '203.0.113.5',
    );
    expect(clientAddress(new Headers({ 'x-forwarded-for': '10.0.0.2' }), 2)).toBe('10.0.0.2');
    expect(clientAddress(new Headers({ 'x-real-ip': '198.51.100.8' }), 1)).toBe('198.51.100.8');
  });
});
