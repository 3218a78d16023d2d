namespace Traceability.EventStore.Sqlite;

/// <summary>The SQLite schema; every statement is idempotent, so opening a store creates or completes it.</summary>
internal static class SqliteSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS events (
            position    INTEGER PRIMARY KEY,     -- global position: gap-free, assigned under the write lock
            event_id    BLOB    NOT NULL UNIQUE, -- 16 bytes, big-endian: the durable idempotency key
            stream      TEXT    NOT NULL,
            category    TEXT    NOT NULL,
            revision    INTEGER NOT NULL,
            type        TEXT    NOT NULL,
            data        BLOB    NOT NULL,        -- UTF-8 JSON, byte for byte as appended
            metadata    BLOB    NOT NULL,
            recorded_us INTEGER NOT NULL,        -- µs since the Unix epoch, UTC
            hash        BLOB    NOT NULL,        -- SHA-256(previous hash ‖ canonical event), see EventHash
            UNIQUE (stream, revision)
        );
        CREATE TABLE IF NOT EXISTS streams (
            name     TEXT    PRIMARY KEY,
            revision INTEGER NOT NULL,
            hash     BLOB    NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
        -- Traceability records are append-only. (Anyone with the file can drop these; the hash chain is what
        -- proves a record unchanged.)
        CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        """;

    public const string EventColumns = "position, event_id, stream, revision, type, data, metadata, recorded_us, hash";
}
