CREATE TABLE "data_expunges" (
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"expunged" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "data_expunges_id_customer_id_pk" PRIMARY KEY("id","customer_id")
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "retention_days" integer;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "expunged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "expunged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "data_expunges" ADD CONSTRAINT "data_expunges_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "data_expunges_one_running_key" ON "data_expunges" USING btree ("customer_id") WHERE "data_expunges"."status" = 'running';--> statement-breakpoint
CREATE INDEX "data_expunges_customer_created_idx" ON "data_expunges" USING btree ("customer_id","created_at");