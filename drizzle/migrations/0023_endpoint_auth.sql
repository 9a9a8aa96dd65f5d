ALTER TABLE "subscriptions" ADD COLUMN "auth_info" jsonb;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "auth_enc" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "client_cert_not_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "client_cert_expiry_warned_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "subscriptions_client_cert_idx" ON "subscriptions" USING btree ("client_cert_not_after") WHERE "subscriptions"."client_cert_not_after" is not null and "subscriptions"."client_cert_expiry_warned_at" is null;