/** A subscription named with its customer (the sharding key): what admission, holds and the breaker take. */
export type SubscriptionRef = { id: string; customerId: string };
