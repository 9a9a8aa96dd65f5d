-- Backfill ("send past events") is a kind of bulk job: bulk_replays gains its kind, a backfill's
-- subscription, its matching rules and its skipped / filtered-out counts. New columns only (constant
-- defaults: no table rewrite). "One running replay per customer" becomes "per customer, among
-- replays", and a backfill has its own: one running per subscription. On Citus, sequentially, as in 0013.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
--> statement-breakpoint
DROP INDEX "bulk_replays_one_running_key";--> statement-breakpoint
ALTER TABLE "bulk_replays" ADD COLUMN "kind" text DEFAULT 'replay' NOT NULL;--> statement-breakpoint
ALTER TABLE "bulk_replays" ADD COLUMN "subscription_id" text;--> statement-breakpoint
ALTER TABLE "bulk_replays" ADD COLUMN "match" jsonb;--> statement-breakpoint
ALTER TABLE "bulk_replays" ADD COLUMN "skipped" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "bulk_replays" ADD COLUMN "filtered_out" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "bulk_replays_one_backfill_key" ON "bulk_replays" USING btree ("customer_id","subscription_id") WHERE "bulk_replays"."status" = 'running' and "bulk_replays"."kind" = 'backfill';--> statement-breakpoint
CREATE INDEX "bulk_replays_subscription_idx" ON "bulk_replays" USING btree ("customer_id","subscription_id","id") WHERE "bulk_replays"."kind" = 'backfill';--> statement-breakpoint
CREATE UNIQUE INDEX "bulk_replays_one_running_key" ON "bulk_replays" USING btree ("customer_id") WHERE "bulk_replays"."status" = 'running' and "bulk_replays"."kind" = 'replay';