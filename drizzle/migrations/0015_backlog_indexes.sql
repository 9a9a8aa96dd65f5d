-- Both keys the admission filters on (subscription, and customer as Citus needs) lead the backlog
-- and window indexes: with the subscription alone, the planner could prefer a bitmap of the
-- subscription and customer indexes over them and sort a subscription's whole backlog per refill.
DROP INDEX "deliveries_backlog_idx";--> statement-breakpoint
DROP INDEX "deliveries_queued_idx";--> statement-breakpoint
CREATE INDEX "deliveries_backlog_idx" ON "deliveries" USING btree ("subscription_id","customer_id","priority" DESC NULLS LAST,"next_attempt_at","id") WHERE "deliveries"."status" = 'pending' and "deliveries"."queued_at" is null;--> statement-breakpoint
CREATE INDEX "deliveries_queued_idx" ON "deliveries" USING btree ("subscription_id","customer_id") WHERE "deliveries"."queued_at" is not null;