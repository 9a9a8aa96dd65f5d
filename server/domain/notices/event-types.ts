/**
 * What Hookrelay tells the platform about its customers' endpoints (operational webhooks). Pure, so
 * schemas, docs and the dashboard may import it.
 *
 * - `subscription.failing`: its circuit breaker opened (the endpoint keeps failing);
 * - `subscription.recovered`: the breaker closed again after being open (a probe succeeded);
 * - `subscription.disabled`: Hookrelay disabled it: the endpoint answered `410 Gone` (`reason: "gone"`)
 *   or no attempt succeeded for the auto-disable period (`reason: "auto_disabled"`);
 * - `delivery.dead`: a delivery exhausted its attempts or its retry window (also behind an open breaker);
 * - `subscription.certificate_expiring`: its mTLS client certificate expires within 14 days (once per
 *   certificate: upkeep/certificate-expiry.ts).
 */
export const operationalEventTypes = [
  'subscription.failing',
  'subscription.recovered',
  'subscription.disabled',
  'delivery.dead',
  'subscription.certificate_expiring',
] as const;
export type OperationalEventType = (typeof operationalEventTypes)[number];

export const operationalDeliveryStatuses = ['pending', 'succeeded', 'dead'] as const;
export type OperationalDeliveryStatus = (typeof operationalDeliveryStatuses)[number];
