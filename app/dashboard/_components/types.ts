import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/api/root';

type Out = inferRouterOutputs<AppRouter>;
export type Delivery = Out['deliveries']['get'];
export type Attempt = Delivery['attempts'][number];
export type EventDetail = Out['events']['get'];
export type Subscription = Out['subscriptions']['get'];
export type EventType = Out['eventTypes']['list']['data'][number];
