ALTER TABLE "deliveries" ADD COLUMN "route" text DEFAULT 'matched' NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "matched_pattern" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_status_check" CHECK (status in ('pending', 'held', 'succeeded', 'dead'));--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_route_check" CHECK (route in ('matched', 'held', 'test'));--> statement-breakpoint
UPDATE "deliveries" SET "route" = 'test' WHERE "event_type" = 'hookrelay.test';