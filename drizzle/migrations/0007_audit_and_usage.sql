CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text,
	"actor_kind" text NOT NULL,
	"actor_id" text,
	"ip" text,
	"action" text NOT NULL,
	"target_kind" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"customer_id" text NOT NULL,
	"day" date NOT NULL,
	"events_published" integer DEFAULT 0 NOT NULL,
	"deliveries_attempted" integer DEFAULT 0 NOT NULL,
	"deliveries_succeeded" integer DEFAULT 0 NOT NULL,
	"deliveries_failed" integer DEFAULT 0 NOT NULL,
	"bytes_sent" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_customer_id_day_pk" PRIMARY KEY("customer_id","day")
);
--> statement-breakpoint
CREATE INDEX "audit_log_customer_idx" ON "audit_log" USING btree ("customer_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at");