-- events, deliveries and attempts become tables partitioned by time: events and deliveries by range
-- of id, attempts by range of delivery_id (ids begin with their time; a delivery's id carries its
-- event's). Retention then drops a day's partitions instead of deleting rows
-- (server/domain/upkeep/partitions.ts creates them ahead and drops them). Drizzle does not model
-- partitioning: this migration is written by hand and ends in the state drizzle/schema describes.
-- Rows already stored move into each table's default partition, where they are purged row by row
-- as before; new rows go to the daily partitions the application creates.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
--> statement-breakpoint
-- Idempotency keys leave `events` (a partitioned table's unique keys must contain the partition key).
CREATE TABLE "event_keys" (
	"customer_id" text NOT NULL,
	"key" text NOT NULL,
	"event_id" text NOT NULL,
	"retention_until" timestamp with time zone NOT NULL,
	CONSTRAINT "event_keys_customer_id_key_pk" PRIMARY KEY("customer_id","key")
);
--> statement-breakpoint
CREATE INDEX "event_keys_retention_idx" ON "event_keys" USING btree ("retention_until");
--> statement-breakpoint
-- The partitioned tables, with the same columns and checks, filled from the old ones.
CREATE TABLE "events_next" (
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"type" text NOT NULL,
	"body" text NOT NULL,
	"idempotency_key" text,
	"fanned_out_at" timestamp with time zone,
	"delivery_count" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retention_until" timestamp with time zone NOT NULL,
	"filtered_out" jsonb,
	"trace_parent" text,
	"broadcast" boolean DEFAULT false NOT NULL
) PARTITION BY RANGE ("id");
--> statement-breakpoint
CREATE TABLE "deliveries_next" (
	"id" text NOT NULL,
	"event_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"event_type" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	"cycle_start" integer DEFAULT 0 NOT NULL,
	"cycle_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"last_response_status" integer,
	"last_error" text,
	"replay_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"queued_at" timestamp with time zone,
	"priority" integer DEFAULT 1 NOT NULL,
	"route" text DEFAULT 'matched' NOT NULL,
	"matched_pattern" text,
	CONSTRAINT "deliveries_route_check" CHECK ("route" IN ('matched', 'held', 'test')),
	CONSTRAINT "deliveries_status_check" CHECK ("status" IN ('pending', 'held', 'succeeded', 'dead'))
) PARTITION BY RANGE ("id");
--> statement-breakpoint
CREATE TABLE "attempts_next" (
	"id" text NOT NULL,
	"delivery_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"attempt_seq" integer NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"url" text NOT NULL,
	"request_headers" jsonb NOT NULL,
	"response_status" integer,
	"response_headers" jsonb,
	"response_body" text,
	"error_class" text,
	"error_message" text,
	"latency_ms" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"next_retry_at" timestamp with time zone
) PARTITION BY RANGE ("delivery_id");
--> statement-breakpoint
CREATE TABLE "events_default" PARTITION OF "events_next" DEFAULT;
--> statement-breakpoint
CREATE TABLE "deliveries_default" PARTITION OF "deliveries_next" DEFAULT;
--> statement-breakpoint
CREATE TABLE "attempts_default" PARTITION OF "attempts_next" DEFAULT;
--> statement-breakpoint
-- On a Citus cluster whose tables are already distributed (server/db/citus.ts), the new tables
-- are distributed before they are filled, co-located with subscriptions, so that the copy runs on
-- the workers and the foreign keys below can reference the distributed and reference tables. (On a
-- fresh cluster and on PostgreSQL nothing happens here; the distribution step after the
-- migrations does it.)
DO $$
BEGIN
	IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = 'public.subscriptions'::regclass) THEN
			PERFORM create_distributed_table('event_keys', 'customer_id', colocate_with => 'subscriptions');
			PERFORM create_distributed_table('events_next', 'customer_id', colocate_with => 'subscriptions');
			PERFORM create_distributed_table('deliveries_next', 'customer_id', colocate_with => 'subscriptions');
			PERFORM create_distributed_table('attempts_next', 'customer_id', colocate_with => 'subscriptions');
		END IF;
	END IF;
END $$;
--> statement-breakpoint
INSERT INTO "event_keys" ("customer_id", "key", "event_id", "retention_until")
SELECT "customer_id", "idempotency_key", "id", "retention_until" FROM "events" WHERE "idempotency_key" IS NOT NULL AND NOT "broadcast"
ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "events_next" SELECT "id", "customer_id", "type", "body", "idempotency_key", "fanned_out_at", "delivery_count", "created_at", "retention_until", "filtered_out", "trace_parent", "broadcast" FROM "events";
--> statement-breakpoint
INSERT INTO "deliveries_next" SELECT "id", "event_id", "subscription_id", "customer_id", "event_type", "status", "attempt_count", "cycle_start", "cycle_started_at", "next_attempt_at", "last_attempt_at", "last_response_status", "last_error", "replay_count", "created_at", "updated_at", "completed_at", "queued_at", "priority", "route", "matched_pattern" FROM "deliveries";
--> statement-breakpoint
INSERT INTO "attempts_next" SELECT "id", "delivery_id", "subscription_id", "customer_id", "attempt_seq", "trigger", "status", "url", "request_headers", "response_status", "response_headers", "response_body", "error_class", "error_message", "latency_ms", "started_at", "next_retry_at" FROM "attempts";
--> statement-breakpoint
DROP TABLE "attempts";
--> statement-breakpoint
DROP TABLE "deliveries";
--> statement-breakpoint
DROP TABLE "events";
--> statement-breakpoint
ALTER TABLE "events_next" RENAME TO "events";
--> statement-breakpoint
ALTER TABLE "deliveries_next" RENAME TO "deliveries";
--> statement-breakpoint
ALTER TABLE "attempts_next" RENAME TO "attempts";
--> statement-breakpoint
-- Keys and indexes, under their old names, built once the rows are in.
ALTER TABLE "events" ADD CONSTRAINT "events_id_customer_id_pk" PRIMARY KEY ("id", "customer_id");
--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_id_customer_id_pk" PRIMARY KEY ("id", "customer_id");
--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_id_delivery_id_customer_id_pk" PRIMARY KEY ("id", "delivery_id", "customer_id");
--> statement-breakpoint
CREATE INDEX "events_customer_created_idx" ON "events" USING btree ("customer_id", "created_at");
--> statement-breakpoint
CREATE INDEX "events_retention_idx" ON "events" USING btree ("retention_until");
--> statement-breakpoint
CREATE INDEX "deliveries_event_subscription_idx" ON "deliveries" USING btree ("event_id", "subscription_id", "customer_id");
--> statement-breakpoint
CREATE INDEX "deliveries_customer_created_idx" ON "deliveries" USING btree ("customer_id", "created_at");
--> statement-breakpoint
CREATE INDEX "deliveries_customer_status_idx" ON "deliveries" USING btree ("customer_id", "status", "created_at");
--> statement-breakpoint
CREATE INDEX "deliveries_subscription_status_idx" ON "deliveries" USING btree ("subscription_id", "status");
--> statement-breakpoint
CREATE INDEX "deliveries_backlog_idx" ON "deliveries" USING btree ("subscription_id", "priority" DESC NULLS LAST, "next_attempt_at", "id") WHERE "status" = 'pending' AND "queued_at" IS NULL;
--> statement-breakpoint
CREATE INDEX "deliveries_queued_idx" ON "deliveries" USING btree ("subscription_id") WHERE "queued_at" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "deliveries_dead_idx" ON "deliveries" USING btree ("customer_id") WHERE "status" = 'dead';
--> statement-breakpoint
CREATE INDEX "deliveries_held_idx" ON "deliveries" USING btree ("subscription_id") WHERE "status" = 'held';
--> statement-breakpoint
CREATE UNIQUE INDEX "attempts_delivery_seq_key" ON "attempts" USING btree ("delivery_id", "attempt_seq", "customer_id");
--> statement-breakpoint
CREATE INDEX "attempts_subscription_started_idx" ON "attempts" USING btree ("subscription_id", "started_at");
--> statement-breakpoint
CREATE INDEX "attempts_customer_started_idx" ON "attempts" USING btree ("customer_id", "started_at");
--> statement-breakpoint
-- Foreign keys to customers (and a delivery's to its subscription) only: an event's deliveries and
-- attempts live in its partitions and leave with them, so they no longer reference each other. An
-- attempt does not reference its subscription: inserting it would share-lock the subscription row
-- the recording transaction then locks for update (two recorders of one subscription deadlocked).
ALTER TABLE "events" ADD CONSTRAINT "events_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_subscription_fk" FOREIGN KEY ("subscription_id", "customer_id") REFERENCES "public"."subscriptions"("id", "customer_id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "event_keys" ADD CONSTRAINT "event_keys_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;
