import type { Ctx } from '../context';
import { REDACTED, validateCustomHeaders } from './custom-headers';
import type { Loaded } from './attempt-loader';
import type { SendResult } from './http-sender';
import { runTransform } from './sandbox';
import { checkTargetUrl } from './url-guard';

/**
 * Transformations: a subscription's own JavaScript `transform(webhook)`, run in the sandbox
 * (sandbox.ts) before each attempt is signed, may rewrite what the attempt sends or end it unsent.
 *
 * In: `webhook = { url, headers, payload, eventType }`: the subscription's URL, its custom headers
 * (real values; not Hookrelay's own), the event's body parsed (`{id, type, timestamp, data}`), its type.
 * Out: `{ body?, headers?, url?, cancel? }`, each optional:
 * - `body`: replaces the body (a string as it is, anything else as JSON); the signature covers it.
 * - `headers`: replaces the custom headers (spread `webhook.headers` to keep them), under the same
 *   rules (at most 20, no names Hookrelay sets itself: `webhook-*`, `content-type`, …, which always win).
 * - `url`: replaces the target, held to the same URL guard as a subscription's URL (SSRF: private
 *   targets are refused unless ALLOW_PRIVATE_TARGETS, and checked again at connect). A subscription
 *   with endpoint authentication may only move within its URL's origin.
 * - `cancel: true`: nothing is sent; the delivery ends `succeeded`, its attempt marked with the error
 *   class `cancelled` (not retried, not a dead letter, not a failure of the endpoint).
 * A transform that throws, runs out of time or memory, or returns something unsendable fails the
 * attempt with the error class `transform`, retried on the schedule like any failed attempt; a `url`
 * the guard refuses is `blocked_target`, dead at once as for a subscription's own URL.
 */

/** What an attempt would send without a transform, and what a transform is handed. */
export type WebhookRequest = { url: string; headers: Record<string, string>; body: string };

export type TransformResult = (
  | { kind: 'send'; request: WebhookRequest }
  | { kind: 'cancelled' }
  | { kind: 'failed'; errorClass: 'transform' | 'blocked_target'; message: string; url?: string }
) & { cpuMs: number };

/** What a cancelled attempt records as its error (class `cancelled`, status succeeded). */
const CANCELLED_MESSAGE = 'the transform cancelled this delivery: nothing was sent';

/** Everything but the output's size: `body` may be up to MAX_PAYLOAD_BYTES, and JSON escapes may take 6 characters each. */
const OUTPUT_OVERHEAD_CHARS = 64 * 1024;

/** NUL (PostgreSQL `text` refuses it) and lone UTF-16 surrogates (UTF-8 cannot carry them). */
const UNSENDABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Runs `source` on `before` (plus the event's type) and checks its output against the rules above.
 * Shared by attempts and the dry run (`POST /subscriptions/test-transform`), so both say the same.
 */
export async function applyTransform(
  ctx: Ctx,
  source: string,
  before: WebhookRequest,
  eventType: string,
): Promise<TransformResult> {
  // The body is the event's exact JSON text: spliced in, not parsed and serialised again here.
  const input = `{"url":${JSON.stringify(before.url)},"headers":${JSON.stringify(before.headers)},"eventType":${JSON.stringify(eventType)},"payload":${before.body}}`;
  const limit = ctx.config.maxPayloadBytes;
  const run = await runTransform(source, input, { maxOutputChars: limit * 6 + OUTPUT_OVERHEAD_CHARS });
  const cpuMs = run.cpuMs;
  const fail = (message: string, url?: string): TransformResult => ({
    kind: 'failed',
    errorClass: 'transform',
    message,
    ...(url && { url }),
    cpuMs,
  });
  if (!run.ok) return fail(run.error);
  const out = run.output;
  if (out.cancel) return { kind: 'cancelled', cpuMs };
  let url = before.url;
  if (out.url !== undefined && out.url !== before.url) {
    const shape = checkTargetUrl(out.url, true, null);
    if (shape) return fail(`the transform's url ${shape}`);
    url = new URL(out.url).href;
    const guard = checkTargetUrl(url, ctx.config.allowPrivateTargets, ctx.config.targetPorts);
    if (guard)
      return {
        kind: 'failed',
        errorClass: 'blocked_target',
        message: `the transform's url ${guard}; delivery refused`,
        url,
        cpuMs,
      };
  }
  const headers = out.headers ?? before.headers;
  if (out.headers) {
    const issue = validateCustomHeaders(out.headers)[0];
    if (issue) return fail(`the transform's headers: ${issue.reason}`, url);
  }
  const body = out.body ?? before.body;
  if (out.body !== undefined) {
    const bytes = Buffer.byteLength(body);
    if (bytes > limit) return fail(`the transform's body is ${bytes} bytes, above the limit of ${limit}`, url);
    if (UNSENDABLE.test(body)) return fail("the transform's body holds a NUL character or a lone surrogate", url);
  }
  return { kind: 'send', request: { url, headers, body }, cpuMs };
}

/** What an attempt sends (transformed or not), or the result it records without sending. */
export type AttemptRequest = WebhookRequest & {
  /** Custom header values, by the names the recorded request shows as `"[redacted]"`. */
  redact: Record<string, string>;
  /** For the attempt row: the URL, and the body when it is not the event's (null: the event's). */
  transformed?: { url: string; body: string | null } | undefined;
  /** Set when nothing is to be sent: the transform cancelled the attempt or failed. */
  unsent?: SendResult | undefined;
};

/**
 * The request of one attempt of `row`: as the subscription says, or as its transform rewrites it.
 * Called once per attempt, before signing (attempt.ts); never throws for what the transform does.
 */
export async function attemptRequest(ctx: Ctx, row: Loaded, custom: Record<string, string>): Promise<AttemptRequest> {
  const before: WebhookRequest = { url: row.sub.url, headers: custom, body: row.event.body };
  if (row.sub.transform === null) return { ...before, redact: custom };
  const t = await applyTransform(ctx, row.sub.transform, before, row.delivery.eventType);
  const unsent = (errorClass: string, message: string): SendResult => ({
    outcome: { kind: 'error', errorClass, message },
    responseHeaders: null,
    responseBody: null,
    latencyMs: Math.round(t.cpuMs),
  });
  switch (t.kind) {
    case 'cancelled':
      return { ...before, redact: custom, unsent: unsent('cancelled', CANCELLED_MESSAGE) };
    case 'failed':
      return {
        ...before,
        redact: custom,
        unsent: unsent(t.errorClass, t.message),
        transformed: { url: t.url ?? before.url, body: null },
      };
    case 'send': {
      const sent = t.request;
      // Endpoint credentials (a client certificate, OAuth2 tokens) are for the subscription's endpoint:
      // they never follow a transform to another origin, as they never follow a URL edit on their own.
      if (row.sub.authEnc && new URL(sent.url).origin !== new URL(before.url).origin) {
        const message = `the transform's url leaves ${new URL(before.url).origin}: this subscription authenticates to its endpoint (mTLS or OAuth2), and its credentials are not sent to another origin`;
        return {
          ...before,
          redact: custom,
          unsent: unsent('transform', message),
          transformed: { url: sent.url, body: null },
        };
      }
      return {
        ...sent,
        redact: secretHeaders(sent.headers, custom),
        transformed: { url: sent.url, body: sent.body === before.body ? null : sent.body },
      };
    }
  }
}

/**
 * The headers of `sent` whose values are the customer's secrets: a custom header's name, or any header
 * a transform filled with (or around) a custom header's value. The recorded request shows them as
 * `"[redacted]"`; a value copied into the body or the URL is the transform author's choice to show.
 */
function secretHeaders(sent: Record<string, string>, custom: Record<string, string>): Record<string, string> {
  const values = Object.values(custom).filter((v) => v !== '' && v !== REDACTED);
  if (values.length === 0) return custom;
  const copied = Object.entries(sent).filter(([, v]) => values.some((secret) => v.includes(secret)));
  return { ...custom, ...Object.fromEntries(copied) };
}
