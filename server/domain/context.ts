import type { Db } from '../db/client';
import type { Logger } from '../log';
import type { Boss } from '../queue/boss';
import type { Keyring } from './crypto';

/**
 * What domain functions need from the outside world, passed as an argument (no globals, no DI
 * framework): the database, the queue, the secrets keyring, the logger, the clock and the random
 * source. (Process-local metrics are the exception: server/metrics.ts, one registry per process.)
 */
export type Ctx = {
  db: Db;
  boss: Boss;
  keys: Keyring;
  /** Structured logger; lines about a delivery come from a child carrying its ids. */
  log: Logger;
  now: () => Date;
  random: () => number;
  config: {
    allowPrivateTargets: boolean;
    /** TARGET_PORTS: the only ports a target URL may use (absent or null: any). */
    targetPorts?: ReadonlyArray<readonly [number, number]> | null;
    retryTimeScale: number;
    maxPayloadBytes: number;
    /** Whole request body of a batch publish (each event is still held to maxPayloadBytes). */
    maxBatchBytes: number;
    /** How long a process trusts a valid API key without looking it up again (0: always look up). */
    apiKeyCacheMs: number;
    customerMaxInFlight: number;
    retentionDays: number;
    /** The most days a customer's own retention may be set to (lifecycle/retention-policy.ts). */
    retentionMaxDays: number;
    /** Length of one time partition of events, deliveries and attempts (upkeep/partitions.ts). */
    partitionDays: number;
    /** Consecutive unhealthy outcomes that open a subscription's circuit breaker. */
    breakerThreshold: number;
    /** First cool-down of an open breaker before its probe. */
    breakerCooldownMs: number;
    /** Bulk replay: deliveries re-enqueued per second per customer. */
    replayRatePerSecond: number;
    /** Bulk replay: a customer may start one at most this often. */
    replayMinIntervalMs: number;
    /** What a customer's own credentials may create (limits.ts): active API keys, subscriptions. */
    customerMaxApiKeys: number;
    customerMaxSubscriptions: number;
    /** A subscription's window (maxInFlight) may be at most this; admission clamps older rows to it. */
    subscriptionMaxInFlight: number;
    /** The sum of one customer's subscription windows, for its own credentials (limits.ts). */
    customerMaxInFlightTotal: number;
    /** Events one customer may publish per UTC day (limits.ts); null: no quota. */
    customerMaxEventsPerDay: number | null;
    /** Event body bytes one customer may store, counted over the retained days (limits.ts); null: no quota. */
    customerMaxStoredBytes: number | null;
    /**
     * A subscription whose attempts have all failed for this long (hours of retry-schedule time,
     * scaled by retryTimeScale) is disabled; a subscription may override it (delivery/auto-disable.ts).
     */
    autoDisableAfterHours: number;
    /** Publishing a type outside the event-type catalog is refused (EVENT_TYPES_STRICT). */
    eventTypesStrict: boolean;
    /** PUBLIC_URL: this deployment's address, named in the User-Agent of every attempt when set. */
    publicUrl?: string | undefined;
    /** PORTAL_FRAME_ANCESTORS: origins allowed to frame the embedded portal; empty, no embed links. */
    portalFrameAncestors: readonly string[];
    /**
     * The database is a Citus coordinator (server/db/citus.ts; found at start, not configured): work
     * that spans customers runs as one statement per customer, so that each goes to one shard.
     */
    distributed: boolean;
  };
};

/** What a customer API key may do (tenants/key-scopes.ts checks and grants them). */
export const KEY_SCOPES = ['publish', 'read', 'manage', 'keys'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/**
 * Who is acting. A platform key acts for any customer; a customer key or dashboard user only for
 * its own. Every domain query filters by `customerId` when the scope is a customer's.
 */
export type Scope = (
  | { kind: 'platform' }
  | {
      kind: 'customer';
      customerId: string;
      readOnly?: boolean;
      /** A customer API key's scopes (tenants/key-scopes.ts); absent for a dashboard session (every scope). */
      keyScopes?: readonly KeyScope[];
    }
) & { actor?: Actor };

/**
 * Who exactly is acting, for the audit log: `user:<id>` (a dashboard session), an API key's id, or
 * `system` (Hookrelay itself), and the address the request came from. Absent for the operator's CLI.
 */
type Actor = { id: string; ip: string | null };

export const platformScope: Scope = { kind: 'platform' };

/** The actor id of the changes Hookrelay makes on its own (a 410 or auto-disable turning a subscription off). */
export const SYSTEM_ACTOR = 'system';
/** Who acts when Hookrelay itself changes a configuration: recorded in the audit log as `system`. */
export const systemScope: Scope = { kind: 'platform', actor: { id: SYSTEM_ACTOR, ip: null } };
export const customerScope = (customerId: string, readOnly = false): Scope => ({
  kind: 'customer',
  customerId,
  readOnly,
});
