-- Roles for the Telemetra console and the moment-alert notifier (README, "Console"). Run once per
-- database as its owner, after ./telemetra migrate, then give each role a password:
--
--   psql -d telemetra -f sql/roles/console_roles.sql
--   psql -d telemetra -c "\password telemetra_console"
--   psql -d telemetra -c "\password telemetra_alerts"
--
-- Idempotent: running it again changes nothing. Neither role can write Telemetra's results.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'telemetra_console') THEN
        CREATE ROLE telemetra_console LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'telemetra_alerts') THEN
        CREATE ROLE telemetra_alerts LOGIN;
    END IF;
END $$;

-- the console reads, and only reads: every session starts read-only, and it holds SELECT alone
ALTER ROLE telemetra_console SET default_transaction_read_only = on;
GRANT SELECT ON chat_summary_minute, moments, moment_alerts TO telemetra_console;

-- the notifier reads moments and keeps its own delivery records
GRANT SELECT ON moments TO telemetra_alerts;
GRANT SELECT, INSERT, UPDATE ON moment_alerts, moment_alert_targets TO telemetra_alerts;
