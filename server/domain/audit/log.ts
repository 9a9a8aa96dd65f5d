import { and, desc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import { auditLog } from '../../../drizzle/schema';
import type { Queryable } from '../../db/client';
import { rawClient } from '../../db/client';
import { SYSTEM_ACTOR, type Ctx, type Scope } from '../context';
import { newId } from '../ids';
import { keysetRows, pageByBytes } from '../paging';
import { assertNamed, listingCustomer } from '../scope';

/**
 * The audit log: every configuration change is recorded here, in the caller's transaction, so a
 * change and its record commit or roll back together. Secrets are redacted before they are written.
 */
export type AuditEntry = {
  customerId: string | null;
  /** `subscription.created`, `subscription.paused`, `api_key.revoked`, … */
  action: string;
  target: { kind: string; id: string };
  before?: unknown;
  after?: unknown;
};

/** Field names whose values are secrets (`tokenUrl`, an OAuth2 token endpoint's address, is not one). */
const SECRET_KEY = /secret|password|token(?!url$)|keyhash|^key$|privatekey/i;

/** A copy with every secret replaced by "[redacted]" (custom header values too: they are secrets). */
function redact(value: unknown, key = ''): unknown {
  if (value === null || value === undefined) return value;
  if (SECRET_KEY.test(key)) return '[redacted]';
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (typeof value === 'object') {
    if (key === 'headers') return Object.fromEntries(Object.keys(value).map((k) => [k, '[redacted]']));
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redact(v, k)]));
  }
  return value;
}

/**
 * Who acted, as stored: `user` (a dashboard session), `api_key` (a customer's key), `platform` (a
 * platform key, with its id and address; or the operator's CLI, with neither) or `system` (Hookrelay
 * itself, e.g. a subscription disabled by a 410 or by auto-disable).
 */
function actorOf(scope: Scope): { kind: AuditActorKind; id: string | null; ip: string | null } {
  if (scope.actor?.id === SYSTEM_ACTOR) return { kind: 'system', id: null, ip: null };
  if (scope.kind === 'platform') return { kind: 'platform', id: scope.actor?.id ?? null, ip: scope.actor?.ip ?? null };
  if (!scope.actor) return { kind: 'user', id: null, ip: null };
  return { kind: scope.actor.id.startsWith('user:') ? 'user' : 'api_key', id: scope.actor.id, ip: scope.actor.ip };
}

type AuditActorKind = 'user' | 'api_key' | 'platform' | 'system';

/** Only the fields that changed, before and after (the whole object when one side is absent). */
function diff(before: unknown, after: unknown): { before: unknown; after: unknown } {
  if (!before || !after || typeof before !== 'object' || typeof after !== 'object') return { before, after };
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
    (k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]),
  );
  return {
    before: Object.fromEntries(keys.map((k) => [k, b[k]])),
    after: Object.fromEntries(keys.map((k) => [k, a[k]])),
  };
}

export async function recordAudit(ctx: Ctx, q: Queryable, scope: Scope, entry: AuditEntry): Promise<void> {
  const actor = actorOf(scope);
  const changed = diff(redact(entry.before ?? null), redact(entry.after ?? null));
  const now = ctx.now();
  await rawClient(q)`
    insert into audit_log (id, customer_id, actor_kind, actor_id, ip, action, target_kind, target_id, before, after, created_at)
    values (${newId('audit', now.getTime())}, ${entry.customerId}, ${actor.kind}, ${actor.id}, ${actor.ip}, ${entry.action}, ${entry.target.kind},
            ${entry.target.id}, ${changed.before === null ? null : JSON.stringify(changed.before)}::jsonb,
            ${changed.after === null ? null : JSON.stringify(changed.after)}::jsonb, ${now.toISOString()}::timestamptz)`;
}

export type AuditView = ReturnType<typeof auditView>;

/**
 * One entry as `scope` may read it: a customer sees that the platform (or Hookrelay) acted, never
 * which platform key or from which internal address.
 */
function auditView(r: typeof auditLog.$inferSelect, scope: Scope) {
  const masked = scope.kind === 'customer' && (r.actorKind === 'platform' || r.actorKind === 'system');
  return {
    id: r.id,
    customerId: r.customerId,
    actor: masked ? { kind: r.actorKind, id: null, ip: null } : { kind: r.actorKind, id: r.actorId, ip: r.ip },
    action: r.action,
    target: { kind: r.targetKind, id: r.targetId },
    before: r.before,
    after: r.after,
    createdAt: r.createdAt.toISOString(),
  };
}

/**
 * The audit log, newest first, keyset-paginated by id. A customer reads its own; the platform reads
 * everyone's (or one customer's, and platform-wide changes with `customerId` null).
 */
export async function listAuditLog(
  ctx: Ctx,
  scope: Scope,
  input: {
    customerId?: string | undefined;
    action?: string | undefined;
    targetId?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
    limit: number;
    cursor?: string | undefined;
  },
) {
  const customerId = listingCustomer(scope, input.customerId);
  await assertNamed(ctx, scope, customerId, {});
  // Sizes first, the entries' before/after only for those the page keeps (pageByBytes).
  const sizes = await keysetRows(
    ctx.db
      .select({
        id: auditLog.id,
        bytes: sql<number>`(coalesce(octet_length(${auditLog.before}::text), 0) + coalesce(octet_length(${auditLog.after}::text), 0))::int`,
      })
      .from(auditLog)
      .$dynamic(),
    auditLog.id,
    and(
      customerId ? eq(auditLog.customerId, customerId) : undefined,
      input.action ? eq(auditLog.action, input.action) : undefined,
      input.targetId ? eq(auditLog.targetId, input.targetId) : undefined,
      input.from ? gte(auditLog.createdAt, input.from) : undefined,
      input.to ? lte(auditLog.createdAt, input.to) : undefined,
    ),
    input,
  );
  const p = pageByBytes(sizes, input.limit);
  const ids = p.data.map((r) => r.id);
  const rows = ids.length
    ? await ctx.db
        .select()
        .from(auditLog)
        .where(and(inArray(auditLog.id, ids), customerId ? eq(auditLog.customerId, customerId) : undefined))
        .orderBy(desc(auditLog.id))
    : [];
  return { data: rows.map((r) => auditView(r, scope)), nextCursor: p.nextCursor };
}

/** Retention: audit entries leave with the events of their time (RETENTION_DAYS). */
export async function purgeAudit(ctx: Ctx): Promise<number> {
  const cutoff = new Date(ctx.now().getTime() - ctx.config.retentionDays * 86400_000);
  const r = await rawClient(ctx.db)`delete from audit_log where created_at < ${cutoff.toISOString()}::timestamptz`;
  return r.count;
}
