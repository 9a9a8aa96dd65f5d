import { and, eq } from 'drizzle-orm';
import pkg from '../../../package.json' with { type: 'json' };
import { subscriptions } from '../../../drizzle/schema';
import type { AttemptTrigger } from '../../../drizzle/schema';
import type { Logger } from '../../log';
import { metrics } from '../../metrics';
import type { Ctx } from '../context';
import { decryptSecret, sealedIn } from '../crypto';
import { redactSent } from './custom-headers';
import type { Sender, SendResult } from './http-sender';
import { sendToEndpoint } from './endpoint-auth';
import { decide, resolvePolicy, type Decision } from './retry-policy';
import { signedHeaders } from './signing';
import { attemptRequest } from './transform';
import type { DeliverTask, DeliveryRef, Loaded } from './attempt-loader';
import type { Outcome } from './outcome';
import { deferToTable, endExpungedDelivery } from './state';
import { holdOne } from './holds';
import { endAttemptSpan, injectTraceHeaders, startAttemptSpan } from '../../tracing-spans';
import { tracingOn } from '../../tracing';
import { type TraceSpan } from '../../tracing-spans';

/**
 * One attempt of one delivery: load what it needs, sign, send, decide what comes next. Recording
 * the outcome is record.ts; batching loads and records across a worker's jobs is runner.ts.
 */
/**
 * The User-Agent of every attempt: the product and its version, and, when the operator set
 * PUBLIC_URL, where a receiver's operator can find out who is calling (the `(+url)` convention of crawlers).
 */
function userAgent(publicUrl: string | undefined): string {
  return `Hookrelay/${pkg.version}${publicUrl ? ` (+${publicUrl})` : ''}`;
}

/** The secrets that sign an attempt: the current one, plus the rotated-out one during its grace period. */
function activeSecrets(ctx: Ctx, sub: Loaded['sub']): string[] {
  const secrets = [decryptSecret(ctx.keys, sub.secretEnc, sealedIn.subscriptionSecret(sub.id))];
  if (sub.previousSecretEnc && sub.previousSecretExpiresAt && sub.previousSecretExpiresAt > ctx.now()) {
    secrets.push(decryptSecret(ctx.keys, sub.previousSecretEnc, sealedIn.subscriptionSecret(sub.id)));
  }
  return secrets;
}

/** The subscription's custom headers (values decrypted), sent on every attempt. */
function customHeadersOf(ctx: Ctx, sub: Loaded['sub']): Record<string, string> {
  return sub.headersEnc
    ? (JSON.parse(decryptSecret(ctx.keys, sub.headersEnc, sealedIn.subscriptionHeaders(sub.id))) as Record<
        string,
        string
      >)
    : {};
}

export function triggerOf(d: Loaded['delivery'], attempt: number): AttemptTrigger {
  if (attempt === d.cycleStart + 1) return d.replayCount > 0 ? 'replay' : 'initial';
  return 'retry';
}

/**
 * How an attempt reaches the database: runner.ts batches loads and records across a worker's jobs
 * (and owns the fallback when a batch fails, and the jobs' completion); tests that perform one
 * attempt themselves use one row and one transaction each (tests/support/attempt-io.ts).
 */
export type AttemptIo = {
  load(delivery: DeliveryRef): Promise<Loaded | undefined>;
  record(outcome: Outcome): Promise<void>;
};

/**
 * Performs one attempt of a `deliver` job, then records it. Idempotent under crash-retry: the job
 * names the attempt number it performs, and a delivery that has moved past it (or is no longer
 * pending, or no longer in its window) makes it a no-op. A worker killed mid-request
 * leaves the delivery untouched, so the re-run job sends again with the same webhook-id.
 * An open circuit breaker hands the delivery back to the table without spending an attempt.
 */
export async function performAttempt(
  ctx: Ctx,
  sender: Sender,
  job: DeliverTask,
  io: AttemptIo,
): Promise<'sent' | 'stale' | 'held' | 'deferred'> {
  const row = await io.load({ id: job.data.deliveryId, customerId: job.data.customerId });
  // Made only when a line is written: most attempts write none.
  const log = () => attemptLog(ctx, job, row);
  if (
    !row ||
    row.delivery.status !== 'pending' ||
    row.delivery.attemptCount !== job.data.attempt - 1 ||
    row.delivery.queuedAt === null
  ) {
    metrics.deliveryJobsSkipped.inc({ reason: 'stale' });
    log().debug(
      { status: row?.delivery.status ?? 'missing', attemptCount: row?.delivery.attemptCount },
      'stale deliver job: attempt already recorded or delivery no longer pending',
    );
    return 'stale';
  }
  if (row.event.expungedAt) {
    // Created or set to retry after its event's expunge: never send an empty body; end it instead.
    await ctx.db.transaction(async (tx) => {
      await endExpungedDelivery(ctx, tx, row.delivery.customerId, row.delivery.id);
    });
    metrics.deliveryJobsSkipped.inc({ reason: 'stale' });
    log().info('payload expunged: delivery ended without an attempt');
    return 'stale';
  }
  if (!row.sub.active || row.sub.breakerState === 'open') {
    const outcome = await ctx.db.transaction(async (tx) => {
      if (!row.sub.active) {
        // Re-read the subscription under a share lock: a re-enable that committed since we loaded it
        // did not release this delivery (it was not held yet), so holding it would strand it. Either
        // the re-enable committed first (we see it active and start over), or it waits for us and
        // then releases what we hold.
        const [sub] = await tx
          .select({ active: subscriptions.active })
          .from(subscriptions)
          .where(and(eq(subscriptions.id, row.sub.id), eq(subscriptions.customerId, row.delivery.customerId)))
          .for('share');
        if (sub?.active) return 'reenabled' as const;
      }
      const held = !row.sub.active;
      if (held) await holdOne(ctx, tx, row.delivery);
      else await deferToTable(ctx, tx, row.delivery, row.sub.id);
      return held ? ('held' as const) : ('deferred' as const);
    });
    if (outcome === 'reenabled') return performAttempt(ctx, sender, job, io);
    metrics.deliveryJobsSkipped.inc({ reason: outcome });
    log().debug(
      outcome === 'held'
        ? 'subscription disabled: delivery held'
        : 'circuit breaker open: delivery handed back to the table without an attempt',
    );
    return outcome;
  }
  // Tracing on: the attempt's span, under its admission (the job's traceparent) or else the publish.
  const span = tracingOn() ? attemptSpan(job, row) : undefined;
  try {
    await attemptAndRecord(ctx, sender, job, io, row, span);
  } catch (err) {
    endAttemptSpan(span, { status: null, errorClass: null, latencyMs: 0, outcome: 'retry' }, err);
    throw err;
  }
  return 'sent';
}

function attemptSpan(job: DeliverTask, row: Loaded): TraceSpan | undefined {
  return startAttemptSpan(job.data.traceparent ?? row.event.traceParent, {
    deliveryId: row.delivery.id,
    eventId: row.event.id,
    subscriptionId: row.sub.id,
    customerId: row.delivery.customerId,
    attempt: job.data.attempt,
    url: row.sub.url,
  });
}

/** Sign, send, decide, record; the span (tracing on) ends with the outcome once it is recorded. */
async function attemptAndRecord(
  ctx: Ctx,
  sender: Sender,
  job: DeliverTask,
  io: AttemptIo,
  row: Loaded,
  span: TraceSpan | undefined,
): Promise<void> {
  const startedAt = ctx.now();
  const custom = customHeadersOf(ctx, row.sub);
  // Transformations (transform.ts): the subscription's transform, if any, rewrites the body, custom
  // headers and URL this attempt sends, or ends it unsent (`req.unsent`: cancelled, or failed).
  const req = await attemptRequest(ctx, row, custom);
  // Custom headers first: the ones Hookrelay sets win (and the API refuses custom ones by those names).
  // The signature covers the body actually sent.
  const headers: Record<string, string> = {
    ...req.headers,
    'content-type': 'application/json',
    'user-agent': userAgent(ctx.config.publicUrl),
    ...signedHeaders(activeSecrets(ctx, row.sub), row.event.id, Math.floor(startedAt.getTime() / 1000), req.body),
  };
  // Opted in: the receiver gets this attempt's trace context (`traceparent`), and the recorded request shows it.
  if (span && row.sub.traceContext) injectTraceHeaders(span, headers);
  // Endpoint authentication (mTLS client certificate, OAuth2 bearer token) is endpoint-auth.ts's;
  // `sent` is what the attempt records (a bearer token shows as "[redacted]").
  const { result, sent } = req.unsent
    ? { result: req.unsent, sent: headers }
    : await sendToEndpoint(ctx, sender, { ...row.sub, url: req.url }, headers, req.body);
  metrics.attemptDuration.observe({ result: resultClass(result.outcome) }, result.latencyMs / 1000);
  const decision = decide({
    outcome: result.outcome,
    attemptInCycle: job.data.attempt - row.delivery.cycleStart,
    cycleStartedAt: row.delivery.cycleStartedAt,
    policy: resolvePolicy(row.sub.retryPolicy),
    now: ctx.now(),
    random: ctx.random,
    timeScale: ctx.config.retryTimeScale,
  });
  // The recorded request shows custom header values as "[redacted]": they are the customer's secrets.
  await io.record({
    job,
    row,
    startedAt,
    headers: req.unsent ? {} : redactSent(sent, req.redact),
    result,
    decision,
    transformed: req.transformed,
  });
  if (span) endAttemptSpan(span, attemptSummary(result, decision));
}

function attemptSummary(result: SendResult, decision: Decision) {
  const o = result.outcome;
  return {
    status: o.kind === 'response' ? o.status : null,
    errorClass: o.kind === 'error' ? o.errorClass : null,
    latencyMs: result.latencyMs,
    outcome: decision.action,
  };
}

/** Every line about a delivery carries its ids (and the job's), so one filter follows it across workers. */
export function attemptLog(ctx: Ctx, job: DeliverTask, row: Loaded | undefined): Logger {
  return ctx.log.child({
    deliveryId: job.data.deliveryId,
    attempt: job.data.attempt,
    jobId: job.id,
    ...(row && { eventId: row.event.id, customerId: row.delivery.customerId, subscriptionId: row.sub.id }),
  });
}

/** Result class for the latency histogram: status class, or the error class (timeout, connection, dns, tls...). */
function resultClass(outcome: SendResult['outcome']): string {
  return outcome.kind === 'response' ? `${Math.floor(outcome.status / 100)}xx` : outcome.errorClass;
}
