-- Revocable dashboard sessions: a JWT carries the version it was issued at; sign-out and a password
-- change bump it. (users is a Citus reference table: the column is added on every node.)
ALTER TABLE "users" ADD COLUMN "session_version" integer DEFAULT 0 NOT NULL;
