import { z } from 'zod';
import {
  createOperationalWebhook,
  deleteOperationalWebhook,
  getOperationalWebhook,
  listOperationalDeliveries,
  listOperationalWebhooks,
  rotateOperationalWebhookSecret,
  updateOperationalWebhook,
} from '../../domain/subscriptions/platform-webhooks';
import {
  createOperationalWebhookInput,
  listOperationalDeliveriesInput,
  listOperationalWebhooksInput,
  updateOperationalWebhookInput,
} from '../../domain/subscriptions/inputs';
import { idOf } from '../../domain/inputs';
import { deletedOutput } from '../outputs/base';
import {
  operationalDeliveryPageOutput,
  operationalWebhookOutput,
  operationalWebhookPageOutput,
  operationalWebhookWithSecretOutput,
} from '../outputs/operational-webhooks';
import { authedProcedure, router } from '../trpc';

const byId = z.strictObject({ id: idOf('operationalWebhook') });
const rest = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, summary: string, status?: number) => ({
  rest: {
    method,
    path: `/operational-webhooks${path}`,
    summary,
    tag: 'operational-webhooks',
    auth: 'platform' as const,
    ...(status && { status }),
  },
});

/** Where the platform hears about its customers' endpoints: failing, recovered, disabled, dead deliveries. */
export const operationalWebhooksRouter = router({
  create: authedProcedure
    .meta(rest('POST', '', 'Register an operational webhook; the response holds its whsec_ secret', 201))
    .input(createOperationalWebhookInput)
    .output(operationalWebhookWithSecretOutput)
    .mutation(({ ctx, input }) => createOperationalWebhook(ctx.ctx, ctx.scope, input)),
  list: authedProcedure
    .meta(rest('GET', '', 'List operational webhooks'))
    .input(listOperationalWebhooksInput)
    .output(operationalWebhookPageOutput)
    .query(({ ctx, input }) => listOperationalWebhooks(ctx.ctx, ctx.scope, input)),
  get: authedProcedure
    .meta(rest('GET', '/{id}', 'One operational webhook'))
    .input(byId)
    .output(operationalWebhookOutput)
    .query(({ ctx, input }) => getOperationalWebhook(ctx.ctx, ctx.scope, input.id)),
  update: authedProcedure
    .meta(rest('PATCH', '/{id}', 'Change its URL, event types or description'))
    .input(updateOperationalWebhookInput.extend(byId.shape))
    .output(operationalWebhookOutput)
    .mutation(({ ctx, input: { id, ...changes } }) => updateOperationalWebhook(ctx.ctx, ctx.scope, id, changes)),
  delete: authedProcedure
    .meta(rest('DELETE', '/{id}', 'Delete an operational webhook and its delivery history'))
    .input(byId)
    .output(deletedOutput)
    .mutation(({ ctx, input }) => deleteOperationalWebhook(ctx.ctx, ctx.scope, input.id)),
  rotateSecret: authedProcedure
    .meta(rest('POST', '/{id}/rotate-secret', 'Rotate its signing secret (the old one keeps signing for 24 h)'))
    .input(byId)
    .output(operationalWebhookWithSecretOutput)
    .mutation(({ ctx, input }) => rotateOperationalWebhookSecret(ctx.ctx, ctx.scope, input.id)),
  deliveries: authedProcedure
    .meta(
      rest(
        'GET',
        '/{id}/deliveries',
        "What was sent to it, newest first, with the outcome of each delivery's last attempt",
      ),
    )
    .input(byId.extend(listOperationalDeliveriesInput.shape))
    .output(operationalDeliveryPageOutput)
    .query(({ ctx, input: { id, ...page } }) => listOperationalDeliveries(ctx.ctx, ctx.scope, id, page)),
});
