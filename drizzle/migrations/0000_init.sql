CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text,
	"name" text,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"external_id" text,
	"tier" text DEFAULT 'standard' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portal_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"read_only" boolean DEFAULT false NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"url" text NOT NULL,
	"description" text,
	"event_types" text[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"secret_enc" text NOT NULL,
	"previous_secret_enc" text,
	"previous_secret_expires_at" timestamp with time zone,
	"retry_policy" jsonb,
	"rate_limit_per_second" double precision,
	"max_in_flight" integer DEFAULT 10 NOT NULL,
	"timeout_ms" integer DEFAULT 15000 NOT NULL,
	"breaker_state" text DEFAULT 'closed' NOT NULL,
	"breaker_failures" integer DEFAULT 0 NOT NULL,
	"breaker_opened_at" timestamp with time zone,
	"breaker_probe_at" timestamp with time zone,
	"rate_tokens" double precision,
	"rate_updated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text,
	"type" text NOT NULL,
	"body" text NOT NULL,
	"idempotency_key" text,
	"fanned_out_at" timestamp with time zone,
	"delivery_count" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retention_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"delivery_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"attempt_seq" integer NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"url" text NOT NULL,
	"request_headers" jsonb NOT NULL,
	"response_status" integer,
	"response_headers" jsonb,
	"response_body" text,
	"error_class" text,
	"error_message" text,
	"latency_ms" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"next_retry_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"event_type" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	"cycle_start" integer DEFAULT 0 NOT NULL,
	"cycle_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"last_response_status" integer,
	"last_error" text,
	"replay_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "bulk_replay_items" (
	"replay_id" text NOT NULL,
	"delivery_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bulk_replays" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"filter" jsonb NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"enqueued" integer DEFAULT 0 NOT NULL,
	"cursor" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "subscription_depth_samples" (
	"subscription_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"pending" integer NOT NULL,
	"held" integer NOT NULL,
	"breaker_state" text NOT NULL,
	CONSTRAINT "subscription_depth_samples_subscription_id_minute_pk" PRIMARY KEY("subscription_id","minute")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_tokens" ADD CONSTRAINT "portal_tokens_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_replay_items" ADD CONSTRAINT "bulk_replay_items_replay_id_bulk_replays_id_fk" FOREIGN KEY ("replay_id") REFERENCES "public"."bulk_replays"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_replays" ADD CONSTRAINT "bulk_replays_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_customer_idx" ON "api_keys" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "customers_external_id_key" ON "customers" USING btree ("external_id") WHERE "customers"."external_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "portal_tokens_hash_key" ON "portal_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "users_customer_idx" ON "users" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "subscriptions_customer_idx" ON "subscriptions" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "subscriptions_active_idx" ON "subscriptions" USING btree ("customer_id") WHERE "subscriptions"."active";--> statement-breakpoint
CREATE UNIQUE INDEX "events_idempotency_key" ON "events" USING btree (coalesce("customer_id", ''),"idempotency_key") WHERE "events"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "events_customer_created_idx" ON "events" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "events_retention_idx" ON "events" USING btree ("retention_until");--> statement-breakpoint
CREATE UNIQUE INDEX "attempts_delivery_seq_key" ON "attempts" USING btree ("delivery_id","attempt_seq");--> statement-breakpoint
CREATE INDEX "attempts_subscription_started_idx" ON "attempts" USING btree ("subscription_id","started_at");--> statement-breakpoint
CREATE INDEX "attempts_customer_started_idx" ON "attempts" USING btree ("customer_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_event_subscription_key" ON "deliveries" USING btree ("event_id","subscription_id");--> statement-breakpoint
CREATE INDEX "deliveries_customer_created_idx" ON "deliveries" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "deliveries_customer_status_idx" ON "deliveries" USING btree ("customer_id","status","created_at");--> statement-breakpoint
CREATE INDEX "deliveries_subscription_status_idx" ON "deliveries" USING btree ("subscription_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "bulk_replay_items_key" ON "bulk_replay_items" USING btree ("replay_id","delivery_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bulk_replays_one_running_key" ON "bulk_replays" USING btree ("customer_id") WHERE "bulk_replays"."status" = 'running';--> statement-breakpoint
CREATE INDEX "bulk_replays_customer_created_idx" ON "bulk_replays" USING btree ("customer_id","created_at");