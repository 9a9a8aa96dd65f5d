ALTER TABLE "usage_daily" ADD COLUMN "bytes_published" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_deltas" ADD COLUMN "bytes_published" bigint DEFAULT 0 NOT NULL;