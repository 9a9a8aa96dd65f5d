-- Channels route events to the subscriptions that name them; tags label events for search. New
-- columns only (a constant default: no table rewrite), and GIN indexes over (customer_id, array) for
-- a customer's events with a tag or in a channel: btree_gin lets the GIN index lead with customer_id
-- (a trusted extension; on Citus, CREATE EXTENSION reaches the workers before the shards' indexes).
-- On Citus, the DDL below reaches every shard of reference and distributed tables in one transaction:
-- sequentially, as in 0013, so that no step opens parallel connections after another's.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "channels" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "channels" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "channels" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "events_customer_tags_idx" ON "events" USING gin ("customer_id","tags");--> statement-breakpoint
CREATE INDEX "events_customer_channels_idx" ON "events" USING gin ("customer_id","channels");