/**
 * The value sets of the schema's columns, defined once: the tables' types and check constraints, the
 * domain, the API's zod schemas and the dashboard all take them from here. Pure (no database, no
 * node:crypto), so the browser bundle may import it.
 */

/**
 * The delivery status set, defined once: the database schema (type and check constraint), the API's
 * zod schemas and the dashboard all derive from this list.
 *
 * - `pending`: waits for its next attempt (in the table, or in its subscription's window with a job);
 * - `held`: its subscription is paused or disabled; no attempt is spent until it is resumed;
 * - `succeeded`: the endpoint answered 2xx;
 * - `dead`: its last allowed attempt failed, or its retry window ended (also behind an open circuit
 *   breaker), or it was discarded on resume. Replay starts a new cycle.
 *
 * Every change of status goes through server/domain/delivery/state.ts.
 */
export const deliveryStatuses = ['pending', 'held', 'succeeded', 'dead'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** How a delivery came to exist, decided once at fan-out (the routing trace shows it). */
export const deliveryRoutes = ['matched', 'held', 'test'] as const;
export type DeliveryRoute = (typeof deliveryRoutes)[number];

/** What to do with held deliveries when their subscription is resumed. */
export const heldOnResume = ['release', 'discard'] as const;
export type HeldOnResume = (typeof heldOnResume)[number];

/**
 * What an ordering lane does when its head becomes a dead letter (server/domain/delivery/lanes.ts):
 * `lenient` moves on to the next delivery of the lane; `strict` stays blocked until the dead letter
 * is replayed or skipped.
 */
export const laneOrderings = ['lenient', 'strict'] as const;
export type LaneOrdering = (typeof laneOrderings)[number];

/**
 * The signature schemes a subscription may use (Standard Webhooks): `v1` HMAC-SHA256 with a shared
 * `whsec_` secret, `v1a` Ed25519 with a key pair whose `whpk_` public key the receiver holds.
 * Signing is server/domain/delivery/signing.ts.
 */
export const signatureSchemes = ['v1', 'v1a'] as const;
export type SignatureScheme = (typeof signatureSchemes)[number];

/**
 * The embedded portal's theme, as an embed link sets it (validated by `portalThemeInput` in
 * server/domain; stored on the portal token, carried by the embed session).
 */
export const colorSchemes = ['light', 'dark', 'system'] as const;
type ColorScheme = (typeof colorSchemes)[number];
export type PortalTheme = {
  /** `#rrggbb`: the colour of buttons, links and focus rings in place of the default indigo. */
  accentColor?: string | undefined;
  /** An https URL, shown at the top of the embedded view. */
  logoUrl?: string | undefined;
  /** Default `system`: follows the viewer's system setting. */
  colorScheme?: ColorScheme | undefined;
};
