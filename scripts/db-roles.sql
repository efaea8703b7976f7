-- Subsidia on PostgreSQL with two roles (see src/subsidia/audit/dbroles.py).
--
--   subsidia_owner  owns the database schema; `subsidia migrate`, `backup` and `restore` connect as it
--                   (MIGRATION_DATABASE_URL).
--   subsidia_app    what the application and the worker connect as (DATABASE_URL). It owns nothing, so it
--                   cannot disable or drop the audit trail's triggers, and it may only SELECT and INSERT in
--                   the audit trail (no UPDATE, DELETE, TRUNCATE).
--
-- Run once, as a superuser, with the passwords of your choice:
--   psql -v owner_password="'...'" -v app_password="'...'" -f scripts/db-roles.sql postgres
-- then, with both URLs in the environment:
--   MIGRATION_DATABASE_URL=postgres://subsidia_owner:...@db:5432/subsidia \
--   DATABASE_URL=postgres://subsidia_app:...@db:5432/subsidia  subsidia migrate
-- `migrate` grants subsidia_app its privileges on the tables as they are after each migration
-- (`subsidia grant-runtime-role --print` shows the statements).

CREATE ROLE subsidia_owner LOGIN PASSWORD :owner_password NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE subsidia_app LOGIN PASSWORD :app_password NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE subsidia OWNER subsidia_owner;
REVOKE ALL ON DATABASE subsidia FROM PUBLIC;
GRANT CONNECT ON DATABASE subsidia TO subsidia_app;

\connect subsidia
ALTER SCHEMA public OWNER TO subsidia_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO subsidia_app;
