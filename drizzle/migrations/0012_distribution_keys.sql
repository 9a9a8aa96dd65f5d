CREATE TABLE "broadcasts" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"body" text NOT NULL,
	"idempotency_key" text,
	"fanned_out_at" timestamp with time zone,
	"delivery_count" integer,
	"filtered_out" jsonb,
	"trace_parent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retention_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_delivery_id_deliveries_id_fk";
--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_event_id_events_id_fk";
--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_subscription_id_subscriptions_id_fk";
--> statement-breakpoint
ALTER TABLE "bulk_replay_items" DROP CONSTRAINT "bulk_replay_items_replay_id_bulk_replays_id_fk";
--> statement-breakpoint
DROP INDEX "events_idempotency_key";--> statement-breakpoint
DROP INDEX "attempts_delivery_seq_key";--> statement-breakpoint
DROP INDEX "deliveries_event_subscription_key";--> statement-breakpoint
DROP INDEX "bulk_replay_items_key";--> statement-breakpoint
ALTER TABLE "subscription_depth_samples" DROP CONSTRAINT "subscription_depth_samples_subscription_id_minute_pk";--> statement-breakpoint
ALTER TABLE "subscriptions" DROP CONSTRAINT "subscriptions_pkey";--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_pkey";--> statement-breakpoint
-- Broadcasts (events with no customer) move to "broadcasts"; each customer a broadcast reached gets
-- its copy in "events" (same id, broadcast = true), so its deliveries keep pointing at an event of
-- their own customer.
INSERT INTO "broadcasts" ("id","type","body","idempotency_key","fanned_out_at","delivery_count","filtered_out","trace_parent","created_at","retention_until")
  SELECT "id","type","body","idempotency_key","fanned_out_at","delivery_count","filtered_out","trace_parent","created_at","retention_until"
  FROM "events" WHERE "customer_id" IS NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "broadcast" boolean DEFAULT false NOT NULL;--> statement-breakpoint
INSERT INTO "events" ("id","customer_id","broadcast","type","body","fanned_out_at","delivery_count","trace_parent","created_at","retention_until")
  SELECT e."id", d."customer_id", true, e."type", e."body", e."fanned_out_at", count(*)::int, e."trace_parent", e."created_at", e."retention_until"
  FROM "events" e JOIN "deliveries" d ON d."event_id" = e."id"
  WHERE e."customer_id" IS NULL
  GROUP BY e."id", e."type", e."body", e."fanned_out_at", e."trace_parent", e."created_at", e."retention_until", d."customer_id";--> statement-breakpoint
DELETE FROM "events" WHERE "customer_id" IS NULL;--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "customer_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_pkey";--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_pkey";--> statement-breakpoint
ALTER TABLE "bulk_replays" DROP CONSTRAINT "bulk_replays_pkey";--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_id_customer_id_pk" PRIMARY KEY("id","customer_id");--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_id_customer_id_pk" PRIMARY KEY("id","customer_id");--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_id_customer_id_pk" PRIMARY KEY("id","customer_id");--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_id_customer_id_pk" PRIMARY KEY("id","customer_id");--> statement-breakpoint
ALTER TABLE "bulk_replays" ADD CONSTRAINT "bulk_replays_id_customer_id_pk" PRIMARY KEY("id","customer_id");--> statement-breakpoint
ALTER TABLE "subscription_depth_samples" ADD CONSTRAINT "subscription_depth_samples_subscription_id_minute_customer_id_pk" PRIMARY KEY("subscription_id","minute","customer_id");--> statement-breakpoint
ALTER TABLE "bulk_replay_items" ADD COLUMN "customer_id" text;--> statement-breakpoint
UPDATE "bulk_replay_items" i SET "customer_id" = r."customer_id" FROM "bulk_replays" r WHERE r."id" = i."replay_id";--> statement-breakpoint
ALTER TABLE "bulk_replay_items" ALTER COLUMN "customer_id" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "broadcasts_idempotency_key" ON "broadcasts" USING btree ("idempotency_key") WHERE "broadcasts"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "broadcasts_retention_idx" ON "broadcasts" USING btree ("retention_until");--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_delivery_fk" FOREIGN KEY ("delivery_id","customer_id") REFERENCES "public"."deliveries"("id","customer_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_event_fk" FOREIGN KEY ("event_id","customer_id") REFERENCES "public"."events"("id","customer_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_subscription_fk" FOREIGN KEY ("subscription_id","customer_id") REFERENCES "public"."subscriptions"("id","customer_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_replay_items" ADD CONSTRAINT "bulk_replay_items_replay_fk" FOREIGN KEY ("replay_id","customer_id") REFERENCES "public"."bulk_replays"("id","customer_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "events_idempotency_key" ON "events" USING btree ("customer_id","idempotency_key") WHERE "events"."idempotency_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "attempts_delivery_seq_key" ON "attempts" USING btree ("delivery_id","attempt_seq","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_event_subscription_key" ON "deliveries" USING btree ("event_id","subscription_id","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bulk_replay_items_key" ON "bulk_replay_items" USING btree ("replay_id","delivery_id","customer_id");