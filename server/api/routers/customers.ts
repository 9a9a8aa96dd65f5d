import { z } from 'zod';
import { createCustomer, createCustomerApiKey, createDashboardUser, createPortalLink, getCustomer, listApiKeys, listCustomers, revokeApiKey } from '../../domain/customers';
import { authedProcedure, router } from '../trpc';

export const customersRouter = router({
  create: authedProcedure
    .meta({ rest: { method: 'POST', path: '/customers', status: 201, summary: 'Create a customer', tag: 'customers', auth: 'platform' } })
    .input(z.object({ name: z.string().min(1).max(200), externalId: z.string().min(1).max(200).optional(), tier: z.string().min(1).max(50).optional() }))
    .mutation(({ ctx, input }) => createCustomer(ctx.ctx, ctx.scope, input)),
  list: authedProcedure
    .meta({ rest: { method: 'GET', path: '/customers', summary: 'List customers (a customer key sees only its own)', tag: 'customers', auth: 'any' } })
    .input(z.object({}).optional())
    .query(({ ctx }) => listCustomers(ctx.ctx, ctx.scope)),
  get: authedProcedure
    .meta({ rest: { method: 'GET', path: '/customers/{id}', summary: 'One customer', tag: 'customers', auth: 'any' } })
    .input(z.object({ id: z.string() }))
    .query(({ ctx, input }) => getCustomer(ctx.ctx, ctx.scope, input.id)),
  createApiKey: authedProcedure
    .meta({ rest: { method: 'POST', path: '/customers/{id}/api-keys', status: 201, summary: 'Create a customer API key (shown once)', tag: 'customers', auth: 'any' } })
    .input(z.object({ id: z.string(), name: z.string().max(200).optional() }))
    .mutation(({ ctx, input }) => createCustomerApiKey(ctx.ctx, ctx.scope, input.id, input.name)),
  listApiKeys: authedProcedure
    .meta({ rest: { method: 'GET', path: '/customers/{id}/api-keys', summary: "List a customer's API keys (prefixes only)", tag: 'customers', auth: 'any' } })
    .input(z.object({ id: z.string() }))
    .query(({ ctx, input }) => listApiKeys(ctx.ctx, ctx.scope, input.id)),
  revokeApiKey: authedProcedure
    .meta({ rest: { method: 'DELETE', path: '/api-keys/{id}', summary: 'Revoke an API key', tag: 'customers', auth: 'any' } })
    .input(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => revokeApiKey(ctx.ctx, ctx.scope, input.id)),
  createUser: authedProcedure
    .meta({ rest: { method: 'POST', path: '/customers/{id}/users', status: 201, summary: 'Create a dashboard login for a customer', tag: 'customers', auth: 'platform' } })
    .input(z.object({ id: z.string(), email: z.string().email().max(320), password: z.string().min(8).max(200) }))
    .mutation(({ ctx, input }) => createDashboardUser(ctx.ctx, ctx.scope, input.id, { email: input.email, password: input.password })),
  portalLink: authedProcedure
    .meta({ rest: { method: 'POST', path: '/customers/{id}/portal-link', status: 201, summary: "A short-lived, single-use sign-in link to the customer's dashboard", tag: 'customers', auth: 'platform' } })
    .input(z.object({ id: z.string(), readOnly: z.boolean().optional(), ttlSeconds: z.number().int().min(30).max(86400).optional() }))
    .mutation(({ ctx, input }) => createPortalLink(ctx.ctx, ctx.scope, input.id, input, ctx.baseUrl)),
});
