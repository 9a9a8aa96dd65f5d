ALTER TABLE "subscriptions" ADD COLUMN "transform" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "transform_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "request_body" text;