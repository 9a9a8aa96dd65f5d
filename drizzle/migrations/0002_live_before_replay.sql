DROP INDEX "deliveries_backlog_idx";--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "priority" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX "deliveries_backlog_idx" ON "deliveries" USING btree ("subscription_id","priority" DESC NULLS LAST,"next_attempt_at","id") WHERE "deliveries"."status" = 'pending' and "deliveries"."queued_at" is null;