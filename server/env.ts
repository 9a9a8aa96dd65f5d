import { z } from 'zod';

/**
 * The whole configuration, parsed once. Nothing else reads process.env (scripts/ set variables
 * for the processes they start, which then read them here).
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z.object({
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
  API_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(200),
  API_RATE_LIMIT_BURST: z.coerce.number().positive().default(400),
  /** One bucket per customer as well, shared by all its keys and dashboard users (keys do not add up). */
  API_CUSTOMER_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(400),
  API_CUSTOMER_RATE_LIMIT_BURST: z.coerce.number().positive().default(800),
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
  /** When set, a worker serves /health and /metrics on this port (plain HTTP, all interfaces; 0 = any free port, logged). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
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
});

export type Env = z.infer<typeof schema>;

/** Every variable this module reads (`pnpm dev` keys its compile cache by their values). */
export const ENV_NAMES: readonly string[] = Object.keys(schema.shape);

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
      throw new Error(`Invalid environment:\n${lines}`);
    }
    cached = parsed.data;
  }
  return cached;
}

export function databaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (pnpm dev and pnpm test start an embedded PostgreSQL and set it)');
  return url;
}
