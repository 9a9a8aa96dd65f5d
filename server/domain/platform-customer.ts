/**
 * The platform's own customer: the owner of the operational webhooks (server/domain/operational/),
 * created by migration 0026. Each operational webhook is one of its subscriptions (id `owh_…`) and
 * each operational notice one of its events, so they are fanned out, delivered, retried,
 * breaker-protected and recorded by the same engine as every customer's.
 *
 * It is nobody's tenant: hidden from every customer list and lookup (a 404, like an unknown
 * customer), from usage, and never given an API key or a dashboard login. Its id is not shaped like a
 * generated customer id (`cus_` + 26 base32 characters), so it cannot collide with one and the API's
 * id checks refuse it at the door.
 */
export const PLATFORM_CUSTOMER_ID = 'cus_platform';

export const isPlatformCustomer = (customerId: string | null | undefined): boolean =>
  customerId === PLATFORM_CUSTOMER_ID;
