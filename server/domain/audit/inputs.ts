import { z } from 'zod';
import { text } from '../../json';
import { customerFilter, dateTime, from, pageOf, to } from '../inputs';

/** Audit log and usage inputs (rules: server/domain/inputs.ts). */

export const listAuditLogInput = z.strictObject({
  customerId: customerFilter,
  action: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z_]+\.[a-z_]+$/, 'must be an action such as subscription.updated')
    .optional()
    .describe('Only this action, e.g. `subscription.paused`'),
  targetId: text().min(1).max(100).optional().describe('Only changes to this object (a subscription, API key, … id)'),
  from,
  to,
  ...pageOf('audit'),
});

export const usageInput = z.strictObject({
  customerId: customerFilter,
  from: dateTime().optional().describe('First day (ISO 8601; default 30 days before `to`)'),
  to: dateTime().optional().describe('Last day (ISO 8601; default today)'),
});
