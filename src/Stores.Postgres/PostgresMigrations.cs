namespace Gantry.Engine.Stores;

/// <summary>The PostgreSQL schema, one migration at a time. JSON columns are <c>json</c> so texts round-trip exactly.</summary>
internal static class PostgresMigrations
{
    public static IReadOnlyList<StoreMigration> All { get; } =
    [
        new(1, "runs, journal, concurrency keys, definitions", """
            CREATE TABLE runs (
                id text NOT NULL PRIMARY KEY,
                workflow_id text NOT NULL,
                workflow_version integer NULL,
                definitions json NOT NULL,
                environment_id text NULL,
                environment_text text NULL,
                environment_path text NULL,
                inputs json NOT NULL,
                status text NOT NULL,
                concurrency_key text NULL,
                trigger_source text NOT NULL,
                started_by text NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                message text NULL,
                last_sequence bigint NOT NULL DEFAULT 0,
                lease_owner text NULL,
                lease_expires_at timestamptz NULL
            );
            CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
            CREATE INDEX runs_workflow ON runs (workflow_id, created_at DESC);
            CREATE INDEX runs_status_lease ON runs (status, lease_expires_at);
            CREATE TABLE journal (
                run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                sequence bigint NOT NULL,
                type text NOT NULL,
                time timestamptz NOT NULL,
                data json NOT NULL,
                PRIMARY KEY (run_id, sequence)
            );
            CREATE TABLE concurrency_keys (
                name text NOT NULL PRIMARY KEY,
                run_id text NOT NULL,
                acquired_at timestamptz NOT NULL
            );
            CREATE TABLE definitions (
                id text NOT NULL PRIMARY KEY,
                latest_version integer NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE TABLE definition_versions (
                definition_id text NOT NULL REFERENCES definitions (id) ON DELETE CASCADE,
                version integer NOT NULL,
                text text NOT NULL,
                content_hash text NOT NULL,
                author text NULL,
                comment text NULL,
                state text NOT NULL,
                created_at timestamptz NOT NULL,
                published_at timestamptz NULL,
                PRIMARY KEY (definition_id, version)
            );
            """),
        new(2, "runs.finished_at for retention, index on environment and trigger", """
            ALTER TABLE runs ADD COLUMN finished_at timestamptz NULL;
            UPDATE runs SET finished_at = updated_at WHERE status IN ('succeeded', 'failed', 'cancelled', 'superseded');
            CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;
            CREATE INDEX runs_environment_trigger ON runs (environment_id, trigger_source);
            """),
        new(3, "runs.lease_generation: every claim raises it, fenced writes check it", """
            ALTER TABLE runs ADD COLUMN lease_generation bigint NOT NULL DEFAULT 0;
            """),
        new(4, "webhook_deliveries: signed bodies seen, so every node refuses a replay", """
            CREATE TABLE webhook_deliveries (body_sha256 TEXT NOT NULL PRIMARY KEY, first_seen timestamptz NOT NULL);
            CREATE INDEX webhook_deliveries_first_seen ON webhook_deliveries (first_seen);
            """),
        new(5, "quarantined_hosts and access_tokens: safety state every node shares (was quarantine/*.json and tokens.json per node)", """
            CREATE TABLE quarantined_hosts (
                environment_id text NOT NULL,
                host text NOT NULL,
                reason text NOT NULL,
                run_id text NOT NULL,
                since timestamptz NOT NULL,
                PRIMARY KEY (environment_id, host)
            );
            CREATE TABLE access_tokens (
                name text NOT NULL PRIMARY KEY,
                role text NOT NULL,
                sha256 text NOT NULL UNIQUE,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NULL
            );
            """),
    ];
}
