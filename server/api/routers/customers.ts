import { z } from 'zod';
import { createCustomer, getCustomer, listCustomers } from '../../domain/tenants/customers';
import { createCustomerApiKey, listApiKeys, revokeApiKey } from '../../domain/tenants/api-keys';
import { createDashboardUser } from '../../domain/tenants/dashboard-users';
import { createPortalLink } from '../../domain/tenants/portal-links';
import {
  createApiKeyInput,
  createCustomerInput,
  createUserInput,
  listApiKeysInput,
  listCustomersInput,
  portalLinkInput,
  updateCustomerInput,
} from '../../domain/tenants/inputs';
import { idOf, pageOf } from '../../domain/inputs';
import {
  apiKeyPageOutput,
  createdApiKeyOutput,
  customerOutput,
  customerPageOutput,
  dashboardUserOutput,
  portalLinkOutput,
  revokedApiKeyOutput,
  createdDataExpungeOutput,
  dataExpungeOutput,
} from '../outputs/customers';
import { authedProcedure, router } from '../trpc';
import { updateCustomer } from '../../domain/lifecycle/retention-policy';
import { getCustomerExpunge, startCustomerExpunge } from '../../domain/lifecycle/customer-expunge';

const customerId = z.strictObject({ id: idOf('customer') });

export const customersRouter = router({
  create: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/customers',
        status: 201,
        summary: 'Create a customer',
        tag: 'customers',
        auth: 'platform',
      },
    })
    .input(createCustomerInput)
    .output(customerOutput)
    .mutation(({ ctx, input }) => createCustomer(ctx.ctx, ctx.scope, input)),
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/customers',
        summary: 'List customers (a customer key sees only its own)',
        tag: 'customers',
        auth: 'any',
      },
    })
    .input(listCustomersInput)
    .output(customerPageOutput)
    .query(({ ctx, input }) => listCustomers(ctx.ctx, ctx.scope, input)),
  get: authedProcedure
    .meta({ rest: { method: 'GET', path: '/customers/{id}', summary: 'One customer', tag: 'customers', auth: 'any' } })
    .input(customerId)
    .output(customerOutput)
    .query(({ ctx, input }) => getCustomer(ctx.ctx, ctx.scope, input.id)),
  update: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/customers/{id}',
        summary:
          "Change a customer's settings: `retentionDays` (1 to RETENTION_MAX_DAYS; a shortening applies to stored events too)",
        tag: 'customers',
        auth: 'platform',
      },
    })
    .input(updateCustomerInput)
    .output(customerOutput)
    .mutation(({ ctx, input: { id, ...changes } }) => updateCustomer(ctx.ctx, ctx.scope, id, changes)),
  expungeData: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/customers/{id}/data',
        status: 202,
        summary:
          'Expunge every stored payload of a customer (account closure): one job with progress; returns the running one if any',
        tag: 'customers',
        auth: 'platform',
      },
    })
    .input(customerId)
    .output(createdDataExpungeOutput)
    .mutation(({ ctx, input }) => startCustomerExpunge(ctx.ctx, ctx.scope, input.id)),
  dataExpunge: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/customers/{id}/data',
        summary: "Progress of the customer's latest data expunge",
        tag: 'customers',
        auth: 'platform',
      },
    })
    .input(customerId)
    .output(dataExpungeOutput)
    .query(({ ctx, input }) => getCustomerExpunge(ctx.ctx, ctx.scope, input.id)),
  createApiKey: authedProcedure
    .meta({
      keyScope: 'keys',
      rest: {
        method: 'POST',
        path: '/customers/{id}/api-keys',
        status: 201,
        summary: 'Create a customer API key (the key is shown once)',
        tag: 'api-keys',
        auth: 'any',
      },
    })
    .input(createApiKeyInput)
    .output(createdApiKeyOutput)
    .mutation(({ ctx, input }) => createCustomerApiKey(ctx.ctx, ctx.scope, input.id, input.name, input.scopes)),
  listApiKeys: authedProcedure
    .meta({
      keyScope: 'keys',
      rest: {
        method: 'GET',
        path: '/customers/{id}/api-keys',
        summary: "List a customer's API keys (prefix and last use, never the key)",
        tag: 'api-keys',
        auth: 'any',
      },
    })
    .input(customerId.extend(pageOf('apiKey')))
    .output(apiKeyPageOutput)
    .query(({ ctx, input: { id, ...page } }) => listApiKeys(ctx.ctx, ctx.scope, { ...page, customerId: id })),
  allApiKeys: authedProcedure
    .meta({
      keyScope: 'keys',
      rest: {
        method: 'GET',
        path: '/api-keys',
        summary: 'List API keys: a customer key sees its own; a platform key every key, platform keys included',
        tag: 'api-keys',
        auth: 'any',
      },
    })
    .input(listApiKeysInput)
    .output(apiKeyPageOutput)
    .query(({ ctx, input }) => listApiKeys(ctx.ctx, ctx.scope, input)),
  revokeApiKey: authedProcedure
    .meta({
      keyScope: 'keys',
      rest: {
        method: 'DELETE',
        path: '/api-keys/{id}',
        summary: 'Revoke an API key (effective at once; revoking again is a no-op)',
        tag: 'api-keys',
        auth: 'any',
      },
    })
    .input(z.strictObject({ id: idOf('apiKey') }))
    .output(revokedApiKeyOutput)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.ctx, ctx.scope, input.id)),
  createUser: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/customers/{id}/users',
        status: 201,
        summary: 'Create a dashboard login for a customer',
        tag: 'customers',
        auth: 'platform',
      },
    })
    .input(customerId.extend(createUserInput.shape))
    .output(dashboardUserOutput)
    .mutation(({ ctx, input: { id, ...user } }) => createDashboardUser(ctx.ctx, ctx.scope, id, user)),
  portalLink: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/customers/{id}/portal-link',
        status: 201,
        summary: "A short-lived, single-use sign-in link to the customer's dashboard",
        tag: 'customers',
        auth: 'platform',
      },
    })
    .input(customerId.extend(portalLinkInput.shape))
    .output(portalLinkOutput)
    .mutation(({ ctx, input: { id, ...opts } }) => createPortalLink(ctx.ctx, ctx.scope, id, opts, ctx.baseUrl)),
});
