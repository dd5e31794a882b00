namespace Gantry.Engine.Stores;

/// <summary>The SQLite schema, one migration at a time. Times are UTC ticks; JSON is text.</summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<StoreMigration> All { get; } =
    [
        new(1, "runs, journal, concurrency keys, definitions", """
            CREATE TABLE runs (
                id TEXT NOT NULL PRIMARY KEY,
                workflow_id TEXT NOT NULL,
                workflow_version INTEGER NULL,
                definitions TEXT NOT NULL,
                environment_id TEXT NULL,
                environment_text TEXT NULL,
                environment_path TEXT NULL,
                inputs TEXT NOT NULL,
                status TEXT NOT NULL,
                concurrency_key TEXT NULL,
                trigger_source TEXT NOT NULL,
                started_by TEXT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                message TEXT NULL,
                last_sequence INTEGER NOT NULL DEFAULT 0,
                lease_owner TEXT NULL,
                lease_expires_at INTEGER NULL
            );
            CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
            CREATE INDEX runs_workflow ON runs (workflow_id, created_at DESC);
            CREATE INDEX runs_status_lease ON runs (status, lease_expires_at);
            CREATE TABLE journal (
                run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                sequence INTEGER NOT NULL,
                type TEXT NOT NULL,
                time INTEGER NOT NULL,
                data TEXT NOT NULL,
                PRIMARY KEY (run_id, sequence)
            ) WITHOUT ROWID;
            CREATE TABLE concurrency_keys (
                name TEXT NOT NULL PRIMARY KEY,
                run_id TEXT NOT NULL,
                acquired_at INTEGER NOT NULL
            );
            CREATE TABLE definitions (
                id TEXT NOT NULL PRIMARY KEY,
                latest_version INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE definition_versions (
                definition_id TEXT NOT NULL REFERENCES definitions (id) ON DELETE CASCADE,
                version INTEGER NOT NULL,
                text TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                author TEXT NULL,
                comment TEXT NULL,
                state TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                published_at INTEGER NULL,
                PRIMARY KEY (definition_id, version)
            );
            """),
        new(2, "runs.finished_at for retention, index on environment and trigger", """
            ALTER TABLE runs ADD COLUMN finished_at INTEGER NULL;
            UPDATE runs SET finished_at = updated_at WHERE status IN ('succeeded', 'failed', 'cancelled', 'superseded');
            CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;
            CREATE INDEX runs_environment_trigger ON runs (environment_id, trigger_source);
            """),
        new(3, "runs.lease_generation: every claim raises it, fenced writes check it", """
            ALTER TABLE runs ADD COLUMN lease_generation INTEGER NOT NULL DEFAULT 0;
            """),
        new(4, "webhook_deliveries: signed bodies seen, so every node refuses a replay", """
            CREATE TABLE webhook_deliveries (body_sha256 TEXT NOT NULL PRIMARY KEY, first_seen INTEGER NOT NULL);
            CREATE INDEX webhook_deliveries_first_seen ON webhook_deliveries (first_seen);
            """),
        new(5, "quarantined_hosts and access_tokens: safety state every node shares (was quarantine/*.json and tokens.json per node)", """
            CREATE TABLE quarantined_hosts (
                environment_id TEXT NOT NULL,
                host TEXT NOT NULL,
                reason TEXT NOT NULL,
                run_id TEXT NOT NULL,
                since INTEGER NOT NULL,
                PRIMARY KEY (environment_id, host)
            );
            CREATE TABLE access_tokens (
                name TEXT NOT NULL PRIMARY KEY,
                role TEXT NOT NULL,
                sha256 TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NULL
            );
            """),
    ];
}
