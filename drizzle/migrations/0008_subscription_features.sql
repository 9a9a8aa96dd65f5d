CREATE TABLE "event_types" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text,
	"schema" jsonb,
	"example" jsonb,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "filter" jsonb;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "header_names" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "headers_enc" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "filtered_out" jsonb;