CREATE TABLE "usage_deltas" (
	"id" bigserial NOT NULL,
	"customer_id" text NOT NULL,
	"day" date NOT NULL,
	"events_published" integer DEFAULT 0 NOT NULL,
	"deliveries_attempted" integer DEFAULT 0 NOT NULL,
	"deliveries_succeeded" integer DEFAULT 0 NOT NULL,
	"deliveries_failed" integer DEFAULT 0 NOT NULL,
	"bytes_sent" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_deltas_customer_id_id_pk" PRIMARY KEY("customer_id","id")
);
--> statement-breakpoint
CREATE INDEX "usage_deltas_id_idx" ON "usage_deltas" USING btree ("id");