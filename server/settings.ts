import type { Ctx } from './domain/context';
import { env } from './env';
import type { QueueSettings } from './queue/catalog';

/**
 * The settings this process's environment gives the domain (`ctx.config`) and the queue catalog
 * (server/queue/catalog.ts): the one place variables turn into settings (defaults in server/env.ts).
 * `distributed` is not an environment setting: the runtime asks the database (server/runtime.ts).
 */
export function settingsFromEnv(): { config: Ctx['config']; queue: QueueSettings } {
  const environment = env();
  const config: Ctx['config'] = {
    allowPrivateTargets: environment.ALLOW_PRIVATE_TARGETS,
    targetPorts: environment.TARGET_PORTS ?? null,
    retryTimeScale: environment.RETRY_TIME_SCALE,
    maxPayloadBytes: environment.MAX_PAYLOAD_BYTES,
    maxBatchBytes: environment.MAX_BATCH_BYTES,
    apiKeyCacheMs: environment.API_KEY_CACHE_SECONDS * 1000,
    customerMaxInFlight: environment.CUSTOMER_MAX_IN_FLIGHT,
    retentionDays: environment.RETENTION_DAYS,
    retentionMaxDays: environment.RETENTION_MAX_DAYS,
    partitionDays: environment.PARTITION_DAYS,
    breakerThreshold: environment.BREAKER_THRESHOLD,
    breakerCooldownMs: environment.BREAKER_COOLDOWN_SECONDS * 1000,
    replayRatePerSecond: environment.REPLAY_RATE_PER_SECOND,
    replayMinIntervalMs: environment.REPLAY_MIN_INTERVAL_SECONDS * 1000,
    customerMaxApiKeys: environment.CUSTOMER_MAX_API_KEYS,
    customerMaxSubscriptions: environment.CUSTOMER_MAX_SUBSCRIPTIONS,
    subscriptionMaxInFlight: environment.SUBSCRIPTION_MAX_IN_FLIGHT,
    customerMaxInFlightTotal: environment.CUSTOMER_MAX_IN_FLIGHT_TOTAL,
    customerMaxEventsPerDay: environment.CUSTOMER_MAX_EVENTS_PER_DAY ?? null,
    customerMaxStoredBytes: environment.CUSTOMER_MAX_STORED_BYTES ?? null,
    autoDisableAfterHours: environment.AUTO_DISABLE_AFTER_HOURS,
    eventTypesStrict: environment.EVENT_TYPES_STRICT,
    publicUrl: environment.PUBLIC_URL,
    portalFrameAncestors: environment.PORTAL_FRAME_ANCESTORS,
    distributed: false,
  };
  const queue: QueueSettings = {
    concurrency: environment.WORKER_CONCURRENCY,
    pollMs: environment.WORKER_POLL_MS,
    customerMaxInFlight: config.customerMaxInFlight,
    deliveryExpireSeconds: environment.DELIVERY_JOB_EXPIRE_SECONDS,
  };
  return { config, queue };
}
