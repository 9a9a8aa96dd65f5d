import { listAuditLog } from '../../domain/audit/log';
import { getUsage } from '../../domain/insights/usage';
import { listAuditLogInput, usageInput } from '../../domain/audit/inputs';
import { auditPageOutput, usageOutput } from '../outputs/audit';
import { authedProcedure, router } from '../trpc';

export const auditRouter = router({
  log: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/audit-log',
        summary: 'Who changed what, when and from where (newest first; a customer key: its own)',
        tag: 'audit',
        auth: 'any',
      },
    })
    .input(listAuditLogInput)
    .output(auditPageOutput)
    .query(({ ctx, input }) => listAuditLog(ctx.ctx, ctx.scope, input)),
  usage: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/usage',
        summary:
          'Usage per customer and day (events published, deliveries attempted, succeeded, failed, bytes sent) and the quotas with how much of each is used',
        tag: 'audit',
        auth: 'any',
      },
    })
    .input(usageInput)
    .output(usageOutput)
    .query(({ ctx, input }) => getUsage(ctx.ctx, ctx.scope, input)),
});
