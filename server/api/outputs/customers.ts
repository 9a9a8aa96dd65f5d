import { z } from 'zod';
import type { expungeView } from '../../domain/lifecycle/customer-expunge';
import type { apiKeyView, createApiKey } from '../../domain/tenants/api-keys';
import type { createPortalLink } from '../../domain/tenants/portal-links';
import type { createUser } from '../../domain/tenants/dashboard-users';
import type { customerView } from '../../domain/tenants/customers';
import { covers, timestamp, nullableTimestamp, pageOf } from './base';

export const customerOutput = covers<ReturnType<typeof customerView>>()(
  z
    .strictObject({
      id: z.string(),
      name: z.string(),
      externalId: z.string().nullable(),
      tier: z.string(),
      retentionDays: z
        .number()
        .int()
        .nullable()
        .describe("Days this customer's events are kept; null: the platform default (RETENTION_DAYS)"),
      createdAt: timestamp,
    })
    .meta({ id: 'Customer' }),
);
export const customerPageOutput = pageOf(customerOutput, 'CustomerPage');

const apiKeyOutput = covers<ReturnType<typeof apiKeyView>>()(
  z
    .strictObject({
      id: z.string(),
      kind: z.enum(['customer', 'platform']),
      customerId: z.string().nullable(),
      name: z.string().nullable(),
      prefix: z.string().describe('The first 12 characters of the key (the key itself is shown only once)'),
      scopes: z
        .array(z.string())
        .describe('What the key may do: `publish`, `read`, `manage`, `keys` (a platform key holds all four)'),
      createdAt: timestamp,
      lastUsedAt: nullableTimestamp,
      revokedAt: nullableTimestamp,
    })
    .meta({ id: 'ApiKey' }),
);
export const apiKeyPageOutput = pageOf(apiKeyOutput, 'ApiKeyPage');
export const revokedApiKeyOutput = covers<ReturnType<typeof apiKeyView> & { revoked: boolean }>()(
  apiKeyOutput.extend({ revoked: z.boolean() }).meta({ id: 'RevokedApiKey' }),
);
export const createdApiKeyOutput = covers<Awaited<ReturnType<typeof createApiKey>>>()(
  z
    .strictObject({
      id: z.string(),
      key: z.string().describe('The API key: shown once, store it now'),
      prefix: z.string(),
      customerId: z.string().nullable(),
      name: z.string().nullable(),
      scopes: z.array(z.string()).describe('What the key may do: `publish`, `read`, `manage`, `keys`'),
    })
    .meta({ id: 'CreatedApiKey' }),
);
export const dashboardUserOutput = covers<NonNullable<Awaited<ReturnType<typeof createUser>>>>()(
  z.strictObject({ id: z.string(), email: z.string(), customerId: z.string() }).meta({ id: 'DashboardUser' }),
);
export const portalLinkOutput = covers<Awaited<ReturnType<typeof createPortalLink>>>()(
  z
    .strictObject({ url: z.string(), expiresAt: timestamp, readOnly: z.boolean(), embed: z.boolean() })
    .meta({ id: 'PortalLink' }),
);

export const dataExpungeOutput = covers<ReturnType<typeof expungeView>>()(
  z
    .strictObject({
      id: z.string(),
      customerId: z.string(),
      status: z.enum(['running', 'completed']),
      total: z.number().int().describe('Events not yet expunged when it started'),
      expunged: z.number().int().describe('Events expunged so far'),
      createdAt: timestamp,
      finishedAt: nullableTimestamp,
    })
    .meta({ id: 'DataExpunge' }),
);
export const createdDataExpungeOutput = dataExpungeOutput
  .extend({ existing: z.boolean().describe('True when a running expunge was returned instead of starting one') })
  .meta({ id: 'CreatedDataExpunge' });
