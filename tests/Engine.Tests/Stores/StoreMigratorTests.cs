using System.Globalization;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Stores;

/// <summary>Schema migrations, against each durable store: from empty, from version 1 with data, and from several processes at once.</summary>
public abstract class StoreMigratorTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset Then = new(2026, 1, 10, 8, 30, 0, TimeSpan.Zero);

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A migrator and stores on the test database (a new instance each call, as another process would have).</summary>
    protected abstract (IStoreMigrator Migrator, IRunStore Runs, IDefinitionStore Definitions) Open();

    /// <summary>Runs raw SQL on the test database.</summary>
    protected abstract Task ExecuteAsync(string sql);

    /// <summary>A time as a SQL literal in this database's column type.</summary>
    protected abstract string TimeLiteral(DateTimeOffset time);

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task Migrate_Empty_ReachesTheLatestVersion()
    {
        var (migrator, _, _) = Open();

        Assert.Equal(0, await migrator.CurrentVersionAsync(Ct));
        Assert.Equal(migrator.LatestVersion, await migrator.MigrateAsync(null, Ct));
        Assert.Equal(5, migrator.LatestVersion);
        Assert.Equal(migrator.LatestVersion, await migrator.CurrentVersionAsync(Ct));
        Assert.Equal(migrator.LatestVersion, await migrator.MigrateAsync(null, Ct));
    }

    [Fact]
    public async Task Migrate_FromVersion1WithData_KeepsItAndBackfillsFinishedTimes()
    {
        var (migrator, runs, definitions) = Open();
        Assert.Equal(1, await migrator.MigrateAsync(1, Ct));
        var then = TimeLiteral(Then);
        await ExecuteAsync($$"""
            INSERT INTO runs (id, workflow_id, workflow_version, definitions, environment_id, environment_text, environment_path, inputs,
                status, concurrency_key, trigger_source, started_by, created_at, updated_at, message, last_sequence)
            VALUES ('old-done', 'deploy', 4, '{"deploy":"steps: []\n"}', 'prod', 'name: prod', '/envs/prod.yaml', '{"version":"1.0","replicas":2}',
                'succeeded', 'prod-deploy', 'webhook:push', 'alice', {{then}}, {{then}}, NULL, 1);
            INSERT INTO runs (id, workflow_id, workflow_version, definitions, environment_id, environment_text, environment_path, inputs,
                status, concurrency_key, trigger_source, started_by, created_at, updated_at, message, last_sequence)
            VALUES ('old-running', 'deploy', NULL, '{}', NULL, NULL, NULL, '{}', 'running', NULL, 'cli', NULL, {{then}}, {{then}}, 'resuming', 0);
            INSERT INTO journal (run_id, sequence, type, time, data)
            VALUES ('old-done', 1, 'run.started', {{then}}, '{"type":"run.started","time":"2026-01-10T08:30:00+00:00"}');
            INSERT INTO definitions (id, latest_version, created_at, updated_at) VALUES ('deploy', 1, {{then}}, {{then}});
            INSERT INTO definition_versions (definition_id, version, text, content_hash, author, comment, state, created_at, published_at)
            VALUES ('deploy', 1, 'steps: []', 'abc', 'alice', NULL, 'published', {{then}}, {{then}});
            """);

        Assert.Equal(5, await migrator.MigrateAsync(null, Ct));

        var done = await runs.GetRunAsync("old-done", Ct);
        Assert.NotNull(done);
        Assert.Equal((RunStatus.Succeeded, 4, "webhook:push", Then), (done.Status, done.WorkflowVersion, done.Trigger, done.UpdatedAt));
        Assert.Equivalent(new Dictionary<string, object?> { ["version"] = "1.0", ["replicas"] = 2L }, done.Inputs, strict: true);
        Assert.Equal("steps: []\n", done.Definitions["deploy"]);
        Assert.Equal("run.started", Assert.Single(await runs.ReadJournalAsync("old-done", 0, Ct)).Type);
        Assert.Equal(2, (await runs.AppendAsync("old-done", [new JournalEvent { Type = JournalEventTypes.Log, Time = Then }], Ct))[0].Sequence);
        Assert.Equal(["old-running"], (await runs.ListRunsAsync(new RunQuery { EnvironmentId = null, Statuses = [RunStatus.Running] }, Ct)).Select(r => r.Id));
        Assert.Equal((1, DefinitionState.Published), ((await definitions.GetAsync("deploy", null, false, Ct))!.Version, DefinitionState.Published));

        Assert.Equal(1, await ((IRunRetention)runs).PruneAsync(Then.AddDays(1), Ct));
        Assert.Null(await runs.GetRunAsync("old-done", Ct));
        Assert.NotNull(await runs.GetRunAsync("old-running", Ct));
    }

    [Fact]
    public async Task Migrate_SeveralProcessesAtOnce_ApplyEachMigrationOnce()
    {
        var migrators = Enumerable.Range(0, 4).Select(_ => Open().Migrator).ToList();

        var reached = await Task.WhenAll(migrators.Select(m => Task.Run(() => m.MigrateAsync(null, Ct))));

        Assert.All(reached, version => Assert.Equal(5, version));
        var (_, runs, _) = Open();
        await runs.CreateRunAsync(new RunRecord { Id = "r", WorkflowId = "w", Definitions = new Dictionary<string, string>(), CreatedAt = Then, UpdatedAt = Then }, Ct);
        Assert.NotNull(await runs.GetRunAsync("r", Ct));
    }

    [Fact]
    public async Task Migrate_FromVersion2WithALeasedRun_StartsItsLeaseGenerationAtZero()
    {
        var (migrator, runs, _) = Open();
        Assert.Equal(2, await migrator.MigrateAsync(2, Ct));
        var then = TimeLiteral(Then);
        var later = TimeLiteral(Then.AddHours(1));
        await ExecuteAsync($$"""
            INSERT INTO runs (id, workflow_id, workflow_version, definitions, environment_id, environment_text, environment_path, inputs,
                status, concurrency_key, trigger_source, started_by, created_at, updated_at, message, last_sequence, lease_owner, lease_expires_at)
            VALUES ('leased', 'deploy', NULL, '{}', NULL, NULL, NULL, '{}', 'running', NULL, 'cli', NULL, {{then}}, {{then}}, NULL, 0, 'node-a', {{later}});
            """);

        Assert.Equal(5, await migrator.MigrateAsync(null, Ct));

        var leases = (IRunLeaseStore)runs;
        var lease = await leases.TryClaimRunAsync("leased", "node-b", TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(new RunLease("leased", "node-b", 1), lease);
        Assert.False(await leases.RenewLeaseAsync(new RunLease("leased", "node-a", 0), TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(1, (await leases.Fenced(lease!).AppendAsync("leased", [new JournalEvent { Type = JournalEventTypes.RunResumed, Time = Then }], Ct))[0].Sequence);
    }

    protected static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString(CultureInfo.InvariantCulture);
}
