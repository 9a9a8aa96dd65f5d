import type { Tx } from '../../db/client';
import { rawClient } from '../../db/client';
import { newId } from '../ids';
import { triggerOf } from './attempt';
import type { SendResult } from './http-sender';
import type { Outcome } from './outcome';
import type { Decision } from './retry-policy';

/**
 * The attempt rows of a batch, in one statement whatever its size: each column travels as one array
 * (unnest), so neither side builds or parses a VALUES list of rows × columns parameters. Times
 * travel as epoch milliseconds, as in afterAttempts (state.ts). Returns the outcomes not recorded before.
 */
export async function insertAttempts(tx: Tx, outcomes: Outcome[]): Promise<Outcome[]> {
  const col = <T>(f: (o: Outcome) => T) => outcomes.map(f);
  const failed = (o: Outcome) => o.decision.action !== 'succeeded';
  const inserted = await rawClient(tx)<{ delivery_id: string }[]>`
    insert into attempts (id, delivery_id, subscription_id, customer_id, attempt_seq, trigger, status, url, request_headers, request_body,
                          response_status, response_headers, response_body, error_class, error_message, latency_ms, started_at, next_retry_at)
    select id, delivery_id, subscription_id, customer_id, seq::int, trigger, status, url, request_headers::jsonb, request_body, response_status::int,
           response_headers::jsonb, response_body, error_class, error_message, latency_ms::int, to_timestamp(started::float8 / 1000),
           to_timestamp(next_retry::float8 / 1000)
    from unnest(
      ${col((o) => newId('attempt', o.startedAt.getTime()))}::text[], ${col((o) => o.row.delivery.id)}::text[], ${col((o) => o.row.sub.id)}::text[],
      ${col((o) => o.row.delivery.customerId)}::text[], ${col((o) => String(o.job.data.attempt))}::text[],
      ${col((o) => triggerOf(o.row.delivery, o.job.data.attempt))}::text[], ${col((o) => (failed(o) ? 'failed' : 'succeeded'))}::text[],
      ${col((o) => o.transformed?.url ?? o.row.sub.url)}::text[], ${col((o) => JSON.stringify(o.headers))}::text[],
      ${col((o) => o.transformed?.body ?? null)}::text[],
      ${col((o) => (o.result.outcome.kind === 'response' ? String(o.result.outcome.status) : null))}::text[],
      ${col((o) => (o.result.responseHeaders ? JSON.stringify(o.result.responseHeaders) : null))}::text[], ${col((o) => o.result.responseBody)}::text[],
      ${col((o) => (o.result.outcome.kind === 'error' ? o.result.outcome.errorClass : failed(o) ? 'http_status' : null))}::text[],
      ${col((o) => errorMessageOf(o.result, o.decision))}::text[], ${col((o) => String(o.result.latencyMs))}::text[],
      ${col((o) => String(o.startedAt.getTime()))}::text[], ${col((o) => (o.decision.action === 'retry' ? String(o.decision.at.getTime()) : null))}::text[]
    ) as x(id, delivery_id, subscription_id, customer_id, seq, trigger, status, url, request_headers, request_body, response_status,
           response_headers, response_body, error_class, error_message, latency_ms, started, next_retry)
    on conflict (delivery_id, attempt_seq, customer_id) do nothing
    returning delivery_id`;
  const fresh = new Set(inserted.map((r) => r.delivery_id));
  return outcomes.filter((o) => fresh.has(o.row.delivery.id));
}

function errorMessageOf(result: SendResult, decision: Decision): string | null {
  if (result.outcome.kind === 'error') return result.outcome.message;
  return decision.action === 'succeeded' ? null : `HTTP ${result.outcome.status}`;
}

/**
 * A delivery's `last_error`: the attempt's error while it retries; once dead, why it ended and what
 * the last attempt met ("gave up after 4 attempts (last: HTTP 500)"), so a dead letter says its cause.
 */
export function deliveryErrorOf(result: SendResult, decision: Decision): string | null {
  const last = errorMessageOf(result, decision);
  if (decision.action !== 'dead') return last;
  return last ? `${decision.reason} (last: ${last})` : decision.reason;
}
