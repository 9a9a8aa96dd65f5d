import { z } from 'zod';

/**
 * The whole configuration, parsed once. Nothing else reads process.env (scripts/ set variables
 * for the processes they start, which then read them here).
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** `80,443,8000-9000` → inclusive ranges; each port 1–65535, each range low-high. */
const portRanges = z
  .string()
  .trim()
  .transform((text, c) => {
    const ranges: Array<readonly [number, number]> = [];
    for (const part of text.split(',').map((p) => p.trim())) {
      const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
      const lo = Number(m?.[1]);
      const hi = m?.[2] === undefined ? lo : Number(m[2]);
      if (!m || lo < 1 || hi > 65535 || lo > hi) {
        c.addIssue({ code: 'custom', message: `"${part}" is not a port or a range of ports (e.g. 80,443,8000-9000)` });
        return z.NEVER;
      }
      ranges.push([lo, hi]);
    }
    return ranges;
  });

/**
 * An HTTP CONNECT proxy's URL: `http://[user:pass@]host[:port]`, nothing after the authority (a
 * path, query or fragment would be ignored by a CONNECT and is more likely a mistake).
 */
const proxyUrl = z
  .string()
  .trim()
  .transform((text, c) => {
    let url: URL | null = null;
    try {
      url = new URL(text);
    } catch {
      // reported below
    }
    if (!url || url.protocol !== 'http:' || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      c.addIssue({
        code: 'custom',
        message: 'must be the http:// URL of an HTTP CONNECT proxy, e.g. http://egress.internal:3128 (no path)',
      });
      return z.NEVER;
    }
    return text;
  });

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** A size in bytes: a whole number, optionally with a unit (`10GiB`, `500 MB`; KiB = 1024, KB = 1000). */
const byteSize = z
  .string()
  .trim()
  .transform((text, c) => {
    const m = /^(\d+)\s*([a-z]*)$/i.exec(text);
    const unit = m ? SIZE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
    const n = m && unit ? Number(m[1]) * unit : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) {
      c.addIssue({
        code: 'custom',
        message: `"${text}" is not a size in bytes (a whole number above 0, optionally with B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)`,
      });
      return z.NEVER;
    }
    return n;
  });

const fields = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().positive().default(3000),
  AUTH_SECRET: z.string().min(16).optional(),
  HOOKRELAY_SECRET_KEY: z.string().min(16).optional(),
  /** Comma-separated previous master keys, still accepted for decryption during a key rotation. */
  HOOKRELAY_SECRET_KEY_PREVIOUS: z.string().optional(),
  RETENTION_DAYS: z.coerce.number().positive().default(30),
  /** The most days a customer's own `retentionDays` may ask for (PATCH /customers/{id}). */
  RETENTION_MAX_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** Days per time partition of events, deliveries and attempts: retention drops one at a time. */
  PARTITION_DAYS: z.coerce.number().int().min(1).max(31).default(1),
  ALLOW_PRIVATE_TARGETS: bool.default(false),
  /**
   * The development receiver: POST /api/dev/receiver stores what it receives (signature checked) and
   * /dashboard/inbox lists it. `pnpm dev` turns it on; anywhere else it is absent (404) unless `true`.
   */
  DEV_RECEIVER: bool.default(false),
  /** The only ports a subscription's URL may use, e.g. `80,443,8000-9000` (unset: any port). */
  TARGET_PORTS: portRanges.optional(),
  /**
   * Every delivery and OAuth2 token request leaves through this HTTP CONNECT proxy (a static source
   * address for receivers to allow). The SSRF rules still apply: the worker resolves and checks each
   * target itself and asks the proxy for the checked address (server/domain/delivery/egress.ts).
   */
  EGRESS_PROXY_URL: proxyUrl.optional(),
  RETRY_TIME_SCALE: z.coerce.number().positive().default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  /** Attempts in flight per worker process. */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(64),
  /** Default per-customer cap on in-flight attempts across all workers (pg-boss groupConcurrency). */
  CUSTOMER_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(10),
  /** Seconds a delivery job may stay active before pg-boss hands it to another worker (crash recovery). */
  DELIVERY_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).default(90),
  /** How often pg-boss's supervisor looks for expired jobs. */
  QUEUE_SUPERVISE_SECONDS: z.coerce.number().int().min(1).default(10),
  /** Idle poll interval of the worker's fetch loop, in ms. */
  WORKER_POLL_MS: z.coerce.number().int().min(5).default(50),
  MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Whole body of `POST /events/batch` (up to 500 events, each within MAX_PAYLOAD_BYTES). */
  MAX_BATCH_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /** How long a process trusts a valid API key without a lookup; a revocation reaches other processes within it. */
  API_KEY_CACHE_SECONDS: z.coerce.number().min(0).default(5),
  /** Per customer API key (and dashboard user). */
  API_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(200),
  API_RATE_LIMIT_BURST: z.coerce.number().positive().default(400),
  /** One bucket per customer as well, shared by all its keys and dashboard users (keys do not add up). */
  API_CUSTOMER_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(400),
  API_CUSTOMER_RATE_LIMIT_BURST: z.coerce.number().positive().default(800),
  /** Per platform key; unset: platform keys, the operator's own services, are not limited. */
  API_PLATFORM_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().optional(),
  /** Burst of a platform key's bucket (default: twice API_PLATFORM_RATE_LIMIT_PER_SECOND). */
  API_PLATFORM_RATE_LIMIT_BURST: z.coerce.number().positive().optional(),
  /**
   * Events a customer may publish per UTC day (whoever publishes them; broadcasts are not counted
   * against it); unset: no daily quota. Past it, publishing for that customer is a 429 until midnight UTC.
   */
  CUSTOMER_MAX_EVENTS_PER_DAY: z.coerce.number().int().positive().optional(),
  /**
   * Event body bytes a customer may store (`10GiB`, or plain bytes): what it published over the days
   * retention still keeps, whoever published it; unset: no quota. Past it, publishing for it is a 413.
   */
  CUSTOMER_MAX_STORED_BYTES: byteSize.optional(),
  /** A subscription's window (maxInFlight: deliveries queued at once) may be at most this. */
  SUBSCRIPTION_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(100),
  /** The sum of one customer's subscription windows (maxInFlight) may be at most this. */
  CUSTOMER_MAX_IN_FLIGHT_TOTAL: z.coerce.number().int().min(1).default(2000),
  /**
   * Reverse proxies in front of the web process that append to X-Forwarded-For. 0 (default): the
   * header is ignored and the client address is the socket's; N: the address N entries from the end.
   */
  TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** What a customer's own credentials may create: active API keys, subscriptions (platform keys are not capped). */
  CUSTOMER_MAX_API_KEYS: z.coerce.number().int().positive().default(20),
  CUSTOMER_MAX_SUBSCRIPTIONS: z.coerce.number().int().positive().default(100),
  /** `true`: publishing a type that is not in the event-type catalog is a 400 (default: accepted). */
  EVENT_TYPES_STRICT: bool.default(false),
  /** Dashboard sign-in: failed password attempts allowed per email, and per client address, in the window. */
  SIGNIN_MAX_FAILURES_PER_EMAIL: z.coerce.number().int().positive().default(10),
  SIGNIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(50),
  SIGNIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  PUBLIC_URL: z.string().url().optional(),
  /**
   * Origins allowed to frame the embedded portal (`embed: true` portal links), space- or
   * comma-separated; each exactly an http(s) origin (no path, no wildcard). Empty: no embedding.
   */
  PORTAL_FRAME_ANCESTORS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const origins = v.split(/[\s,]+/).filter(Boolean);
      for (const o of origins) {
        let origin: string | null = null;
        try {
          const u = new URL(o);
          if (u.protocol === 'https:' || u.protocol === 'http:') origin = u.origin;
        } catch {
          // reported below
        }
        if (origin !== o)
          ctx.addIssue({
            code: 'custom',
            message: `${o} is not an origin (scheme://host[:port], no path or wildcard)`,
          });
      }
      return [...new Set(origins)];
    }),
  BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  /** A subscription none of whose attempts succeeded for this long is disabled (its deliveries held); scaled by RETRY_TIME_SCALE. */
  AUTO_DISABLE_AFTER_HOURS: z.coerce.number().positive().default(120),
  BREAKER_COOLDOWN_SECONDS: z.coerce.number().positive().default(30),
  REPLAY_RATE_PER_SECOND: z.coerce.number().positive().default(100),
  REPLAY_MIN_INTERVAL_SECONDS: z.coerce.number().min(0).default(30),
  /** Dispatcher tick: how often due retries, rate-limited and backlogged deliveries are admitted. */
  DISPATCH_INTERVAL_MS: z.coerce.number().int().min(10).default(100),
  /** SIGTERM: how long a worker may take to finish attempts in hand before it hands the rest back and exits. */
  WORKER_SHUTDOWN_SECONDS: z.coerce.number().positive().default(20),
  /** When set, a worker serves /health and /metrics on this port (plain HTTP; 0 = any free port, logged). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The address the worker's /health and /metrics listen on; other than loopback, METRICS_TOKEN is required. */
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, /api/metrics requires `Authorization: Bearer <METRICS_TOKEN>`; in production it is required. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Connections in this process's Drizzle pool (default: web 10, worker 20). */
  DATABASE_POOL_MAX: z.coerce.number().int().positive().optional(),
  /**
   * Web process: how long a request may wait for one of its pool's connections; past it the request
   * is refused with 503 and Retry-After, having done nothing (the pool exhausted, docs/operations.md).
   */
  DATABASE_ACQUIRE_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  /** Connections in this process's pg-boss pool (default: web 4, worker 10). */
  QUEUE_POOL_MAX: z.coerce.number().int().positive().optional(),
  /**
   * OTLP/HTTP collector base URL (e.g. http://localhost:4318): when set, the process exports
   * OpenTelemetry traces (server/tracing.ts); unset, no SDK is started.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** The traces' `service.name` (default: hookrelay-web, hookrelay-worker). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Set by Next.js itself while it builds (`phase-production-build`): the build is not a deployment. */
  NEXT_PHASE: z.string().optional(),
});

/** 127.0.0.0/8, ::1, localhost: only this machine can connect. */
export const isLoopbackHost = (host: string) =>
  host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

const schema = fields.superRefine((environment, c) => {
  // Production needs its own address: portal links, the User-Agent of deliveries and HSTS all derive
  // from it, and without it links would follow whatever Host header a request carried.
  if (
    environment.NODE_ENV === 'production' &&
    !environment.PUBLIC_URL &&
    environment.NEXT_PHASE !== 'phase-production-build'
  )
    c.addIssue({
      code: 'custom',
      path: ['PUBLIC_URL'],
      message:
        'is required when NODE_ENV=production: the address users and receivers reach this deployment at, e.g. https://hooks.example.com (docs/operations.md)',
    });
  // A worker's /metrics and /health reachable from other machines need a token to read.
  if (
    environment.WORKER_METRICS_PORT !== undefined &&
    !isLoopbackHost(environment.WORKER_METRICS_HOST) &&
    !environment.METRICS_TOKEN
  )
    c.addIssue({
      code: 'custom',
      path: ['METRICS_TOKEN'],
      message: `is required when WORKER_METRICS_HOST (${environment.WORKER_METRICS_HOST}) is not a loopback address`,
    });
});

type Env = z.infer<typeof schema>;

/** Every variable this module reads (`pnpm dev` keys its compile cache by their values). */
export const ENV_NAMES: readonly string[] = Object.keys(fields.shape);

let cached: Env | undefined;

/** Parses an environment (process.env, or a test's), throwing one error that names every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment:\n${lines}`);
  }
  return parsed.data;
}

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

export function databaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (pnpm dev and pnpm test start an embedded PostgreSQL and set it)');
  return url;
}
