import { sql } from 'drizzle-orm';
import type { Ctx } from '../../server/domain/context';

/** Row counts and digests of the tables a request could change (api keys by count: authentication touches last_used_at). */
export async function fingerprint(ctx: Ctx): Promise<string> {
  const digest = (t: string) =>
    `(select count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') from "${t}" x)`;
  const rows = await ctx.db.execute<Record<string, string>>(
    sql.raw(`select
      ${['customers', 'subscriptions', 'events', 'deliveries', 'event_types', 'bulk_replays', 'users'].map((t) => `${digest(t)} as "${t}"`).join(',\n')},
      (select count(*)::text from portal_tokens) as portal_tokens,
      (select count(*)::text || ':' || count(revoked_at)::text from api_keys) as api_keys,
      (select count(*)::text from audit_log) as audit_log,
      (select count(*)::text from usage_deltas) as usage_deltas,
      (select count(*)::text from pgboss.job where name in ('deliver', 'fanout')) as jobs`),
  );
  return JSON.stringify(rows[0]);
}

export function diff(a: string, b: string): string {
  const x = JSON.parse(a) as Record<string, string>;
  const y = JSON.parse(b) as Record<string, string>;
  return Object.keys(x)
    .filter((k) => x[k] !== y[k])
    .map((k) => `${k} ${x[k]!.split(':')[0]}→${y[k]!.split(':')[0]}`)
    .join(', ');
}
