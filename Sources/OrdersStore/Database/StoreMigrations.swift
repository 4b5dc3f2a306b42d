import Foundation
import GRDB

/// The write store's schema. Migrations are named and never edited once shipped: a change is a
/// new migration appended to the list.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-22 events") { db in
            // The log. `position` is assigned by the single writer inside the append transaction
            // (max + 1), so positions are gap-free in commit order.
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        position INTEGER PRIMARY KEY,
                        stream_id TEXT NOT NULL,
                        stream_version INTEGER NOT NULL CHECK (stream_version > 0),
                        type TEXT NOT NULL,
                        schema_version INTEGER NOT NULL CHECK (schema_version > 0),
                        payload TEXT NOT NULL,
                        command_id TEXT,
                        correlation_id TEXT,
                        recorded_at INTEGER NOT NULL,
                        UNIQUE (stream_id, stream_version)
                    ) STRICT;
                    """
            )
            // Unique values across aggregates (customer email, product SKU), claimed in the same
            // transaction as the event that introduces them. Derived from the log: it could be
            // rebuilt from it, and nothing in it is not also in an event.
            try db.execute(
                sql: """
                    CREATE TABLE unique_keys (
                        scope TEXT NOT NULL,
                        key TEXT NOT NULL,
                        stream_id TEXT NOT NULL,
                        PRIMARY KEY (scope, key)
                    ) STRICT, WITHOUT ROWID;
                    """
            )
            // Commands already handled, by the caller's command id: a retried request returns the
            // first outcome instead of appending twice.
            try db.execute(
                sql: """
                    CREATE TABLE processed_commands (
                        command_id TEXT PRIMARY KEY,
                        stream_id TEXT NOT NULL,
                        stream_version INTEGER NOT NULL,
                        position INTEGER NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("2026-11-23 order references") { db in
            // Which orders a customer's or a product's change reaches, without a scan of the log:
            // the live projector asks at every batch with a rename in it. Partial indexes over
            // the log itself (SQLite keeps them in the append's transaction), on the two event
            // types that make the reference; the key names never changed across schema versions.
            try db.execute(
                sql: """
                    CREATE INDEX events_by_order_customer ON events (json_extract(payload, '$.customer_id'))
                        WHERE type = 'order.created';
                    CREATE INDEX events_by_order_product ON events (json_extract(payload, '$.product_id'))
                        WHERE type = 'order.item_added';
                    """
            )
        }
        migrator.registerMigration("2026-12-07 api keys") { db in
            // API keys: a public id to find a key by, the SHA-256 of its secret (never the secret),
            // its role; revoked keys stay on record. A name is unique among the keys not revoked.
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        role TEXT NOT NULL,
                        secret_sha256 BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        last_used_at INTEGER,
                        revoked_at INTEGER
                    ) STRICT, WITHOUT ROWID;
                    CREATE UNIQUE INDEX api_keys_by_active_name ON api_keys (name) WHERE revoked_at IS NULL;
                    """
            )
        }
        migrator.registerMigration("2026-12-07 write probe") { db in
            // One row that `/ready` rewrites to learn whether the store can write (disk full,
            // read-only file system): a write needs the space a command's would.
            try db.execute(sql: "CREATE TABLE write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), probed_at INTEGER NOT NULL) STRICT")
        }
        migrator.registerMigration("2026-12-07 store identity") { db in
            // A random id, written once: a read side records the id of the log it was built
            // from and refuses another log's (`EventStore.identity()`).
            try db.execute(
                sql: """
                    CREATE TABLE store_identity (id INTEGER PRIMARY KEY CHECK (id = 1), store_id TEXT NOT NULL) STRICT;
                    INSERT INTO store_identity (id, store_id) VALUES (1, ?);
                    """, arguments: [UUID().uuidString.lowercased()])
        }
        migrator.registerMigration("2026-12-08 backups") { db in
            // Each backup taken of this store and how it went (`orders status`, `/metrics`).
            try db.execute(
                sql: """
                    CREATE TABLE backups (
                        id INTEGER PRIMARY KEY,
                        finished_at INTEGER NOT NULL,
                        path TEXT NOT NULL,
                        head_position INTEGER,
                        events INTEGER,
                        log_checksum TEXT,
                        bytes INTEGER,
                        seconds REAL NOT NULL,
                        error TEXT
                    ) STRICT;
                    """)
        }
        return migrator
    }
}
