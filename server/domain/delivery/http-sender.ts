import { isIP } from 'node:net';
import { Agent, request, errors as undiciErrors } from 'undici';
import { EgressProxyError, parseEgressProxy, proxyConnector } from './egress';
import { BlockedTargetError, guardedLookup, isPrivateAddress, portProblem, type PortRanges } from './url-guard';
import type { AttemptOutcome } from './retry-policy';

/**
 * Sends one signed POST. Keep-alive pools per origin (undici Agent), no redirects followed, a
 * per-attempt timeout covering connect + headers + body, and the response body read up to 4 KiB.
 * A subscription with a client certificate (mTLS, endpoint-auth.ts) gets pools of its own; with
 * EGRESS_PROXY_URL every pool connects through the proxy (egress.ts). Every pool keeps the SSRF check.
 * What comes back from the wire (body excerpt, header names and values, error messages) is made
 * storable (`storableText`) before it leaves here: a hostile answer is recorded like any other.
 */
const RESPONSE_EXCERPT_BYTES = 4096;

export type SendResult = {
  outcome: AttemptOutcome;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  latencyMs: number;
};

/**
 * A client certificate (mTLS) to present: its connections get a pool of their own, kept per `poolKey`
 * (the subscription and the certificate's fingerprint: a new certificate gets a new pool).
 */
type ClientCertificate = { poolKey: string; cert: string; key: string };

type SendOptions = {
  clientCertificate?: ClientCertificate | undefined;
  /** Response body bytes read (default RESPONSE_EXCERPT_BYTES): an OAuth2 token answer needs more than an excerpt. */
  responseBytes?: number;
};

export type Sender = {
  send(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
    opts?: SendOptions,
  ): Promise<SendResult>;
  close(): Promise<void>;
};

export type SenderOptions = {
  allowPrivate: boolean;
  connections?: number;
  /** TARGET_PORTS, checked before every connection (null or absent: any port). */
  ports?: PortRanges | null;
  /** EGRESS_PROXY_URL: every connection is a tunnel through this HTTP CONNECT proxy (egress.ts). */
  egressProxy?: string | null;
};

/** Client-certificate pools kept at once; the least recently used one is closed past it. */
const MAX_CERTIFICATE_POOLS = 256;

export function createSender(opts: SenderOptions): Sender {
  const proxy = opts.egressProxy ? parseEgressProxy(opts.egressProxy) : null;
  // Every pool keeps the SSRF check at connect time: the guarded lookup, or (through the proxy) a
  // connector that resolves and checks before it asks the proxy for the checked address.
  const newAgent = (tls?: { cert: string; key: string }) =>
    new Agent({
      connections: opts.connections ?? 64,
      keepAliveTimeout: 30_000,
      pipelining: 1,
      connect: proxy
        ? proxyConnector({ proxy, allowPrivate: opts.allowPrivate, tls })
        : { ...(opts.allowPrivate ? {} : { lookup: guardedLookup }), ...(tls && { cert: tls.cert, key: tls.key }) },
    });
  const agent = newAgent();
  const certificatePools = new Map<string, Agent>();

  function agentFor(cert: ClientCertificate | undefined): Agent {
    if (!cert) return agent;
    let pool = certificatePools.get(cert.poolKey);
    if (pool)
      certificatePools.delete(cert.poolKey); // re-inserted below: most recently used last
    else pool = newAgent({ cert: cert.cert, key: cert.key });
    certificatePools.set(cert.poolKey, pool);
    for (const [key, old] of certificatePools) {
      if (certificatePools.size <= MAX_CERTIFICATE_POOLS) break;
      certificatePools.delete(key);
      void old.close().catch(() => {}); // lets requests in flight on it finish
    }
    return pool;
  }

  async function send(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
    sendOpts: SendOptions = {},
  ): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const port = portProblem(new URL(url), opts.ports);
    if (port) return failure('blocked_target', `the target ${port}; delivery refused (TARGET_PORTS)`, elapsed());
    if (!opts.allowPrivate) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && isPrivateAddress(host)) {
        return failure(
          'blocked_target',
          `${host} is a private address; delivery refused (ALLOW_PRIVATE_TARGETS is off)`,
          elapsed(),
        );
      }
    }
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: agentFor(sendOpts.clientCertificate),
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const responseHeaders = storableHeaders(res.headers);
      const responseBody = await readExcerpt(res.body, sendOpts.responseBytes ?? RESPONSE_EXCERPT_BYTES);
      const retryAfter = responseHeaders['retry-after'];
      return {
        outcome: { kind: 'response', status: res.statusCode, retryAfter },
        responseHeaders,
        responseBody,
        latencyMs: elapsed(),
      };
    } catch (err) {
      const [errorClass, message] = classify(err, timeoutMs);
      return failure(errorClass, message, elapsed());
    }
  }

  return {
    send,
    close: async () => {
      const pools = [agent, ...certificatePools.values()];
      certificatePools.clear();
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}

function failure(errorClass: string, message: string, latencyMs: number): SendResult {
  return {
    outcome: { kind: 'error', errorClass, message: storableText(message) },
    responseHeaders: null,
    responseBody: null,
    latencyMs,
  };
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  const all = Buffer.concat(chunks);
  return storableText(all.subarray(0, limit), { cut: all.length > limit });
}

/** NUL (PostgreSQL `text` and `jsonb` refuse it) and lone UTF-16 surrogates (`jsonb` refuses their escapes). */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text from the wire as PostgreSQL can store it. Bytes are decoded as UTF-8, each invalid sequence
 * becoming U+FFFD; then every character `text` or `jsonb` would refuse (NUL, a lone surrogate) becomes
 * U+FFFD as well. U+FFFD rather than a visible `\u0000`: a JSON body may well contain those six
 * characters itself, and the excerpt must not claim the endpoint sent them. `cut`: the bytes are the
 * start of a longer body, so a character cut in half at the end is dropped, not shown as U+FFFD.
 * Without this, one such answer made the attempt's insert fail, and the job's crash-retry bypassed
 * the delivery's retry schedule.
 */
export function storableText(input: string | Uint8Array, opts: { cut?: boolean } = {}): string {
  const text =
    typeof input === 'string'
      ? input
      : new TextDecoder('utf-8', { ignoreBOM: true }).decode(input, { stream: opts.cut === true });
  return text.replace(UNSTORABLE, '\uFFFD');
}

/**
 * Response headers as stored: repeated ones joined with `, `, names and values made storable. The
 * HTTP client hands header bytes over as latin1 (one character per byte); they are read again as
 * UTF-8, which is what endpoints send in practice (`café`, not `cafÃ©`).
 */
export function storableHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const fromWire = (s: string) => storableText(/[\u0100-\uFFFF]/.test(s) ? s : Buffer.from(s, 'latin1'));
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined) out[fromWire(k)] = fromWire(Array.isArray(v) ? v.join(', ') : v);
  }
  return out;
}

function classify(err: unknown, timeoutMs: number): [string, string] {
  const e = err as NodeJS.ErrnoException & { cause?: unknown };
  const cause = (e?.cause ?? e) as NodeJS.ErrnoException;
  if (cause instanceof BlockedTargetError || e instanceof BlockedTargetError)
    return ['blocked_target', (cause ?? e).message];
  if (cause instanceof EgressProxyError || e instanceof EgressProxyError) return ['proxy', (cause ?? e).message];
  if (
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError ||
    e instanceof undiciErrors.ConnectTimeoutError
  ) {
    return ['timeout', `no response within ${timeoutMs} ms`];
  }
  const code = cause?.code ?? e?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return ['dns', `DNS lookup failed (${code})`];
  if (code === 'ECONNREFUSED') return ['connection', 'connection refused'];
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
    return ['connection', `connection reset (${code})`];
  if (
    // ERR_SSL_*: an alert from the server, e.g. it required a client certificate (TLS 1.3) or refused ours.
    (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) ||
    code === 'CERT_HAS_EXPIRED' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  ) {
    return ['tls', `TLS error (${code})`];
  }
  return ['connection', e?.message ? `${e.message}${code ? ` (${code})` : ''}` : String(err)];
}
