ALTER TABLE "subscriptions" ADD COLUMN "backlog" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "queued_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "subscriptions_backlog_idx" ON "subscriptions" USING btree ("id") WHERE "subscriptions"."backlog";--> statement-breakpoint
CREATE INDEX "deliveries_backlog_idx" ON "deliveries" USING btree ("subscription_id","next_attempt_at","id") WHERE "deliveries"."status" = 'pending' and "deliveries"."queued_at" is null;--> statement-breakpoint
CREATE INDEX "deliveries_queued_idx" ON "deliveries" USING btree ("subscription_id") WHERE "deliveries"."queued_at" is not null;