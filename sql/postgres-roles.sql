-- The roles a keydesk deployment on PostgreSQL needs. Run as the owner of
-- keydesk's tables (the role that ran keydesk first, which created them), in
-- keydesk's database, after they exist and again after an upgrade of
-- keydesk's schema:
--
--     psql "postgres://owner@db.example.com/keydesk" -f sql/postgres-roles.sql
--
-- Then give people and hosts login roles that are members of one of them:
--
--     CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE keydesk_admin;
--     CREATE ROLE gateway1 LOGIN PASSWORD '…' IN ROLE keydesk_verifier;
--
-- keydesk_admin     manages keys: the TUI, every CLI command, `keydesk log`.
--                   It cannot change the schema: run upgrades as the owner.
-- keydesk_verifier  for `keydesk serve` and Verifier services: reads the hash
--                   index and the change counter, writes Last Used, usage and
--                   token counts (and moves the counter with them), and the leases
--                   and heartbeats by which gateways share rate limits,
--                   nothing else. It cannot create,
--                   rename, disable, rotate or delete keys, and cannot read or
--                   write the audit log.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keydesk_admin') THEN
        CREATE ROLE keydesk_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keydesk_verifier') THEN
        CREATE ROLE keydesk_verifier NOLOGIN;
    END IF;
END
$$;

-- Nothing by default: PUBLIC may otherwise create tables in public on
-- servers before PostgreSQL 15.
REVOKE ALL ON keydesk_keys, keydesk_meta, keydesk_audit, keydesk_schema_migrations,
    keydesk_usage_hourly, keydesk_usage_daily, keydesk_rate_leases, keydesk_rate_gateways,
    keydesk_tokens_hourly, keydesk_tokens_daily, keydesk_tokens_lifetime, keydesk_tpm_seconds FROM PUBLIC;

GRANT SELECT, INSERT, UPDATE, DELETE ON keydesk_keys TO keydesk_admin;
GRANT SELECT, UPDATE ON keydesk_meta TO keydesk_admin;
GRANT SELECT, INSERT ON keydesk_audit TO keydesk_admin;
GRANT SELECT ON keydesk_schema_migrations TO keydesk_admin;
-- Usage counts: read by `keydesk usage` and the TUI, added to by `keydesk
-- verify`, pruned as they age.
GRANT SELECT, INSERT, UPDATE, DELETE ON keydesk_usage_hourly, keydesk_usage_daily TO keydesk_admin;
-- Token counts: read by `keydesk usage` and the TUI, copied in by `keydesk
-- migrate`, deleted with their key.
GRANT SELECT, INSERT, UPDATE, DELETE ON keydesk_tokens_hourly, keydesk_tokens_daily, keydesk_tokens_lifetime
    TO keydesk_admin;

GRANT SELECT ON keydesk_keys, keydesk_meta, keydesk_schema_migrations TO keydesk_verifier;
GRANT UPDATE (last_used, previous_last_used) ON keydesk_keys TO keydesk_verifier;
GRANT UPDATE (change_counter) ON keydesk_meta TO keydesk_verifier;
GRANT SELECT, INSERT, UPDATE, DELETE ON keydesk_usage_hourly, keydesk_usage_daily TO keydesk_verifier;
-- Token counts of the answers a gateway relays, written with the usage
-- counts (and pruned as they age); read back for token limits.
GRANT SELECT, INSERT, UPDATE, DELETE ON keydesk_tokens_hourly, keydesk_tokens_daily, keydesk_tokens_lifetime
    TO keydesk_verifier;
-- Shared rate limits: each gateway's leases of permits and its heartbeat.
GRANT SELECT, INSERT, UPDATE, DELETE ON keydesk_rate_leases, keydesk_rate_gateways TO keydesk_verifier;
GRANT USAGE ON SEQUENCE keydesk_rate_leases_lease_id_seq TO keydesk_verifier;
-- Shared tpm: the tokens each gateway counted per key and second.
GRANT SELECT, INSERT, UPDATE, DELETE ON keydesk_tpm_seconds TO keydesk_verifier;
