import { z } from 'zod';
import type { AuditView } from '../../domain/audit/log';
import type { getUsage } from '../../domain/insights/usage';
import { covers, timestamp, pageOf } from './base';

const auditEntryOutput = covers<AuditView>()(
  z
    .strictObject({
      id: z.string(),
      customerId: z.string().nullable(),
      actor: z.strictObject({
        kind: z
          .string()
          .describe(
            '`user` (dashboard), `api_key` (a customer key), `platform` (a platform key or the operator; a customer sees no id or address) or `system` (Hookrelay itself, e.g. disabling a subscription after a 410)',
          ),
        id: z.string().nullable(),
        ip: z.string().nullable(),
      }),
      action: z.string(),
      target: z.strictObject({ kind: z.string(), id: z.string() }),
      before: z.unknown().describe('The fields that changed, before (secrets redacted)'),
      after: z.unknown().describe('The fields that changed, after (secrets redacted)'),
      createdAt: timestamp,
    })
    .meta({ id: 'AuditEntry' }),
);
export const auditPageOutput = pageOf(auditEntryOutput, 'AuditLogPage');

const usageCounts = {
  eventsPublished: z.number().int(),
  deliveriesAttempted: z.number().int(),
  deliveriesSucceeded: z.number().int(),
  deliveriesFailed: z.number().int(),
  bytesSent: z.number().int(),
  bytesPublished: z
    .number()
    .int()
    .describe('The stored body bytes of the events published (a broadcast: once per customer it reached)'),
};
export const usageOutput = covers<Awaited<ReturnType<typeof getUsage>>>()(
  z
    .strictObject({
      from: z.string().describe('First day (YYYY-MM-DD, UTC)'),
      to: z.string().describe('Last day'),
      data: z.array(z.strictObject({ customerId: z.string(), day: z.string(), ...usageCounts })),
      totals: z.strictObject(usageCounts),
      quotas: z
        .strictObject({
          eventsPerDay: z
            .strictObject({ limit: z.number().int().nullable(), used: z.number().int().nullable() })
            .describe('Events a customer may publish per UTC day (null: no quota) and how many it published today'),
          inFlightTotal: z
            .strictObject({ limit: z.number().int(), used: z.number().int().nullable() })
            .describe("The sum of a customer's subscription windows (maxInFlight) allowed, and taken"),
          storedBytes: z
            .strictObject({ limit: z.number().int().nullable(), used: z.number().int().nullable() })
            .describe(
              'Event body bytes a customer may store (null: no quota), and the bytes it published over the days retention still keeps (RETENTION_DAYS UTC days, today included)',
            ),
        })
        .describe("The customer's quotas; `used` is null when usage of every customer is listed"),
    })
    .meta({ id: 'Usage' }),
);
