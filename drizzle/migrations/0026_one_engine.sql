-- One delivery engine: operational webhooks become subscriptions of the platform customer
-- (server/domain/tenants/platform-customer.ts), and operational notices its events, delivered by the
-- `deliver` queue like every customer's. Written by hand: the data moves before the tables go.
--
-- The platform customer: a fixed id, not shaped like a generated one (cus_ + 26 base32 characters).
INSERT INTO "customers" ("id", "name", "tier") VALUES ('cus_platform', 'Hookrelay platform (operational webhooks)', 'standard') ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
-- Each operational webhook becomes a subscription with the same id (owh_…). "Every type" (null)
-- becomes the pattern `*`. The secret ciphertexts move as they are: an owh_ subscription's secret
-- keeps its operational_webhooks binding (tenants/crypto.ts sealedIn.subscriptionSecret). Never
-- auto-disabled (0), like before.
INSERT INTO "subscriptions" ("id", "customer_id", "url", "description", "event_types", "secret_enc", "previous_secret_enc", "previous_secret_expires_at",
                             "auto_disable_after_hours", "created_at", "updated_at")
SELECT "id", 'cus_platform', "url", "description", coalesce("event_types", '{*}'::text[]), "secret_enc", "previous_secret_enc", "previous_secret_expires_at",
       0, "created_at", "updated_at"
FROM "operational_webhooks";
--> statement-breakpoint
-- Operational deliveries still pending become the platform customer's deliveries, waiting in the
-- table (queued_at null, the subscription flagged as backlogged) for the dispatcher to admit them
-- when due. Their events keep their ids (oev_…: the webhook-id receivers already saw on earlier
-- attempts, and the `id` inside the body) and land in the default partition; their deliveries take
-- the dlv_ prefix with the same time-ordered suffix, keep their attempt count, and their retry
-- window still counts from when they were created. Finished ones are history of a table that goes.
INSERT INTO "events" ("id", "customer_id", "type", "body", "fanned_out_at", "delivery_count", "created_at", "retention_until")
SELECT "event_id", 'cus_platform', min("event_type"), min("body"), now(), count(*)::int, min("created_at"), min("created_at") + interval '30 days'
FROM "operational_deliveries"
WHERE "status" = 'pending'
GROUP BY "event_id";
--> statement-breakpoint
INSERT INTO "deliveries" ("id", "event_id", "subscription_id", "customer_id", "event_type", "status", "attempt_count", "cycle_start", "cycle_started_at",
                          "next_attempt_at", "last_attempt_at", "last_response_status", "last_error", "route", "matched_pattern", "created_at", "updated_at")
SELECT 'dlv_' || substr(o."id", 5), o."event_id", o."webhook_id", 'cus_platform', o."event_type", 'pending', o."attempt_count", 0, o."created_at",
       coalesce(o."next_attempt_at", now()), o."last_attempt_at", o."last_response_status", o."last_error", 'matched',
       CASE WHEN '*' = ANY(coalesce(w."event_types", '{*}'::text[])) THEN '*' ELSE o."event_type" END, o."created_at", now()
FROM "operational_deliveries" o
JOIN "operational_webhooks" w ON w."id" = o."webhook_id"
WHERE o."status" = 'pending';
--> statement-breakpoint
UPDATE "subscriptions" SET "backlog" = true
WHERE "customer_id" = 'cus_platform' AND "id" IN (SELECT "webhook_id" FROM "operational_deliveries" WHERE "status" = 'pending');
--> statement-breakpoint
-- Their jobs on the retired `operational-deliver` queue are deleted with it (server/queue/boss.ts ensureQueues).
DROP TABLE "operational_deliveries" CASCADE;
--> statement-breakpoint
DROP TABLE "operational_webhooks" CASCADE;
