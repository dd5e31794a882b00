using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;
using Npgsql;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>
/// Issue #17, "a store that is unreachable mid-run": the run's own PostgreSQL database stops accepting
/// connections (its open ones are terminated) while <c>gantry run</c> is in the middle of <c>lb.flip</c>. The
/// execution stops without touching the load balancer again; once the database is back, a worker resumes the
/// run where it stopped and finishes it once.
/// </summary>
[Collection(PostgresCliCollection.Name)]
public sealed class StoreUnreachableTests(PostgresFixture postgres)
{
    [Fact]
    public async Task DatabaseCutOffDuringAFlip_TerminalStopsWithoutTouchingTheLoadBalancer_AWorkerResumesOnceItIsBack()
    {
        var database = "kill_" + Guid.NewGuid().ToString("N")[..12];
        var admin = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await AdminAsync(admin, $"CREATE DATABASE {database};");
        var db = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database }.ConnectionString;
        try
        {
            await using var workspace = await DurableWorkspace.CreateAsync(db);
            workspace.CopyFromRepository("workflows");
            PausedPastLeaseTests.SlowSandboxLoadBalancer(workspace);
            using var terminal = workspace.Start("run", "rolling-deploy", "--env", "sandbox");
            string? runId = null;
            await DurableWorkspace.WaitForAsync(async () => (runId = (await workspace.SingleRunAsync())?.Id) is not null, TimeSpan.FromSeconds(60), "the run to be created");
            await PausedPastLeaseTests.WaitForLogAsync(workspace, runId!, "lb.flip: bringing live web1, web2");

            // Partitioned from its store in the middle of the flip, for longer than its lease. A process cut off acts
            // on within the lease it holds (no other can own the run until it expires, so that is safe) and stops
            // once it cannot count on it; so the cut must outlast the lease for "touches nothing more" to hold. The
            // process is frozen meanwhile, so the test, not the machine's load, decides where in the flip it is cut.
            await terminal.PauseAsync();
            var leaseUntil = (await workspace.Runs.GetRunAsync(runId!, CancellationToken.None))!.LeaseExpiresAt!.Value;
            await AdminAsync(admin, $"ALTER DATABASE {database} ALLOW_CONNECTIONS false;", $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}';");
            var stateFile = Path.Combine(workspace.Root, ".gantry", "sandbox", "sandbox.json");
            var fleetAtCut = await File.ReadAllTextAsync(stateFile);
            await DurableWorkspace.WaitForAsync(() => Task.FromResult(DateTimeOffset.UtcNow > leaseUntil), TimeSpan.FromSeconds(30), $"the lease to pass its expiry at {leaseUntil:O}");
            terminal.Continue();
            await DurableWorkspace.WaitForAsync(() => Task.FromResult(terminal.HasExited), TimeSpan.FromSeconds(60), () => $"gantry run to stop without its store (it said: {string.Join(" | ", terminal.Output)})");
            var fleetAtStop = await File.ReadAllTextAsync(stateFile);

            await AdminAsync(admin, $"ALTER DATABASE {database} ALLOW_CONNECTIONS true;");
            await workspace.ReopenAsync();
            using var worker = workspace.Start("worker", "--node-id", "node-b", "--poll", "100ms");
            await DurableWorkspace.WaitForAsync(
                async () => (await workspace.Runs.GetRunAsync(runId!, CancellationToken.None))!.IsFinished,
                TimeSpan.FromSeconds(90),
                () => $"node-b to finish run {runId} (it said: {string.Join(" | ", worker.Output)})");

            Assert.Equal(fleetAtCut, fleetAtStop);
            Assert.Contains(worker.Output, l => l.Contains($"claimed run {runId}", StringComparison.Ordinal));
            var journal = await workspace.JournalAsync(runId!);
            Assert.Single(journal, e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "flip");
            Assert.Contains(journal, e => e.Type == JournalEventTypes.RunResumed);
            await RolloutInvariants.AssertRanOnceAsync(workspace, runId!, "store cut off");
            await RolloutInvariants.AssertEveryHostOnAsync(workspace, await RolloutInvariants.NewestStableTagAsync(workspace), "store cut off");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE);");
        }
    }

    private static async Task AdminAsync(string admin, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
