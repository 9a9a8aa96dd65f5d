ALTER TABLE "portal_tokens" ADD COLUMN "embed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "portal_tokens" ADD COLUMN "theme" jsonb;