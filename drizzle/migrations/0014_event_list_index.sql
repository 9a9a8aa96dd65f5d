-- A customer's event list reads (customer_id, id) newest first: one short index range per partition.
-- Nothing filters events by (customer_id, created_at) any more (a time range is an id range too).
DROP INDEX "events_customer_created_idx";--> statement-breakpoint
CREATE INDEX "events_customer_id_idx" ON "events" USING btree ("customer_id","id");
