namespace Traceability.EventStore.Postgres;

/// <summary>The PostgreSQL schema (in the connection's default schema); idempotent, created under an advisory lock.</summary>
internal static class PostgresSchema
{
    /// <summary>Serialises schema creation when several processes start at once.</summary>
    private const long SchemaLockKey = 0x7472616365_01;

    public const string NotifyChannel = "traceability_events";

    public static readonly string Create = $"""
        SELECT pg_advisory_xact_lock({SchemaLockKey});
        CREATE TABLE IF NOT EXISTS events (
            seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- may have gaps: rolled-back inserts burn numbers
            tx_id       bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint), -- the writing transaction: commit order key
            event_id    uuid   NOT NULL UNIQUE,   -- the durable idempotency key
            stream      text   NOT NULL,
            category    text   NOT NULL,
            revision    bigint NOT NULL,
            type        text   NOT NULL,
            data        bytea  NOT NULL,          -- UTF-8 JSON, byte for byte as appended
            metadata    bytea  NOT NULL,
            recorded_us bigint NOT NULL,          -- µs since the Unix epoch, UTC
            hash        bytea  NOT NULL,          -- SHA-256(previous hash ‖ canonical event), see EventHash
            UNIQUE (stream, revision)
        );
        CREATE INDEX IF NOT EXISTS events_in_commit_order ON events (tx_id, seq);
        CREATE TABLE IF NOT EXISTS streams (
            name     text   PRIMARY KEY,
            revision bigint NOT NULL,
            hash     bytea  NOT NULL
        );
        CREATE TABLE IF NOT EXISTS schema_version (version int NOT NULL);
        INSERT INTO schema_version (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
        -- Traceability records are append-only. (A superuser can bypass this; the hash chain is what proves a
        -- record unchanged.)
        CREATE OR REPLACE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS
            $fn$ BEGIN RAISE EXCEPTION 'events are append-only'; END $fn$;
        CREATE OR REPLACE TRIGGER events_no_update BEFORE UPDATE ON events
            FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
        CREATE OR REPLACE TRIGGER events_no_delete BEFORE DELETE ON events
            FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
        CREATE OR REPLACE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
            FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
        """;

    public const string EventColumns = "tx_id, seq, event_id, stream, revision, type, data, metadata, recorded_us, hash";

    /// <summary>
    /// The gap-free horizon: every transaction with an id below the current snapshot's xmin has ended, so no
    /// event below it can still appear. Readers of <c>$all</c> read only below it.
    /// </summary>
    public const string Horizon = "(pg_snapshot_xmin(pg_current_snapshot())::text::bigint)";
}
