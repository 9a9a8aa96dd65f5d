ALTER TABLE "subscriptions" ADD COLUMN "ordering" text DEFAULT 'lenient' NOT NULL;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "ordering_key" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "ordering_key" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "ordering_key" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "lane_hold" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "deliveries_lane_idx" ON "deliveries" USING btree ("customer_id","subscription_id","ordering_key","event_id") WHERE "deliveries"."ordering_key" is not null and ("deliveries"."status" in ('pending', 'held') or "deliveries"."lane_hold");