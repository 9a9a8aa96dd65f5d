import { z } from 'zod';
import { getDelivery, listDeliveries } from '../../domain/delivery/delivery-reads';
import { replayDelivery } from '../../domain/replay/replay-delivery';
import { getDeliveryInput, listDeliveriesInput } from '../../domain/delivery/inputs';
import { idOf } from '../../domain/inputs';
import { deliveryDetailOutput, deliveryOutput, deliveryPageOutput } from '../outputs/deliveries';
import { authedProcedure, router } from '../trpc';

export const deliveriesRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/deliveries',
        summary: 'List deliveries by status, subscription, event type, time',
        tag: 'deliveries',
        auth: 'any',
      },
    })
    .input(listDeliveriesInput)
    .output(deliveryPageOutput)
    .query(({ ctx, input }) => listDeliveries(ctx.ctx, ctx.scope, input)),
  get: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/deliveries/{id}',
        summary:
          'One delivery: the exact request body once, its latest 50 attempts (request headers, response) and their total',
        tag: 'deliveries',
        auth: 'any',
      },
    })
    .input(getDeliveryInput)
    .output(deliveryDetailOutput)
    .query(({ ctx, input }) => getDelivery(ctx.ctx, ctx.scope, input)),
  replay: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/deliveries/{id}/replay',
        status: 202,
        summary: 'Replay one delivery now (same webhook-id, fresh signature)',
        tag: 'deliveries',
        auth: 'any',
      },
    })
    .input(z.strictObject({ id: idOf('delivery') }))
    .output(deliveryOutput)
    .mutation(({ ctx, input }) => replayDelivery(ctx.ctx, ctx.scope, input.id)),
});
