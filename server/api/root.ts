import { auditRouter } from './routers/audit';
import { customersRouter } from './routers/customers';
import { deliveriesRouter } from './routers/deliveries';
import { eventsRouter } from './routers/events';
import { operationalWebhooksRouter } from './routers/operational-webhooks';
import { eventTypesRouter } from './routers/event-types';
import { replaysRouter } from './routers/replays';
import { statsRouter } from './routers/stats';
import { subscriptionsRouter } from './routers/subscriptions';
import { createCallerFactory, router } from './trpc';

/** The whole API: one router per resource. */
export const appRouter = router({
  customers: customersRouter,
  events: eventsRouter,
  eventTypes: eventTypesRouter,
  subscriptions: subscriptionsRouter,
  deliveries: deliveriesRouter,
  replays: replaysRouter,
  stats: statsRouter,
  audit: auditRouter,
  operationalWebhooks: operationalWebhooksRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
