/**
 * What the development receiver (POST /api/dev/receiver, server/dev/receiver.ts) received, newest
 * first, kept in this web process's memory: a request bin for `pnpm dev`, gone on restart. On
 * globalThis so that the route handler and the inbox page, which Next.js may load as separate module
 * instances, share one list. No database here: the inbox page reads it directly.
 */
export type InboxEntry = {
  /** Order of arrival in this process (1, 2, …). */
  seq: number;
  receivedAt: Date;
  /** The `webhook-id` header: the event's id. */
  webhookId: string | null;
  /** `type` from the body, when it is JSON with one. */
  eventType: string | null;
  /** The customer and subscription the event was delivered for, when the id names one of its events. */
  customerId: string | null;
  subscriptionId: string | null;
  /** Signature checked with the subscription's signing secret(s) and the 5-minute timestamp window. */
  verified: boolean;
  /** Why it is not verified. */
  problem: string | null;
  headers: Record<string, string>;
  body: string;
};

const INBOX_CAPACITY = 200;

const holder = globalThis as unknown as { __hookrelayDevInbox?: { seq: number; entries: InboxEntry[] } };
function store() {
  holder.__hookrelayDevInbox ??= { seq: 0, entries: [] };
  return holder.__hookrelayDevInbox;
}

export function addToInbox(entry: Omit<InboxEntry, 'seq'>): InboxEntry {
  const s = store();
  const stored = { ...entry, seq: ++s.seq };
  s.entries.unshift(stored);
  s.entries.length = Math.min(s.entries.length, INBOX_CAPACITY);
  return stored;
}

/**
 * A customer's part of the inbox: what was delivered for its events. Requests that name no event
 * of any customer (unverifiable by construction) are counted, never shown: whoever sent them,
 * their content is not this customer's.
 */
export function inboxFor(customerId: string): { entries: InboxEntry[]; unattributed: number } {
  const all = store().entries;
  return {
    entries: all.filter((e) => e.customerId === customerId),
    unattributed: all.filter((e) => e.customerId === null).length,
  };
}
