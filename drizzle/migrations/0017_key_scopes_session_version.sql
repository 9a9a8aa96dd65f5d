-- API key scopes. New customer keys get publish and read unless they ask for more; every key that
-- exists already keeps full access, so no current integration breaks. (api_keys is a Citus reference
-- table and audit_log is local to the coordinator: these statements run unchanged on Citus.)
ALTER TABLE "api_keys" ADD COLUMN "scopes" text[] DEFAULT '{publish,read}'::text[] NOT NULL;--> statement-breakpoint
UPDATE "api_keys" SET "scopes" = '{publish,read,manage,keys}'::text[];--> statement-breakpoint
-- Changes made with a platform key were recorded as actor api_key: they are the platform's.
UPDATE "audit_log" SET "actor_kind" = 'platform' WHERE "actor_kind" = 'api_key' AND "actor_id" IN (SELECT "id" FROM "api_keys" WHERE "customer_id" IS NULL);--> statement-breakpoint
-- Revocable dashboard sessions: a JWT carries the version it was issued at; sign-out and a password
-- change bump it. (users is a Citus reference table: the column is added on every node.)
ALTER TABLE "users" ADD COLUMN "session_version" integer DEFAULT 0 NOT NULL;
