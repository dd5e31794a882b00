using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Testing.Fleet;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Cli.Tests.Durable;

/// <summary>What fails beside the commands of a <c>gantry worker</c> (here its retention prune) reaches its log on stderr, whole.</summary>
public sealed class WorkerLogTests
{
    [Fact]
    public async Task Worker_RetentionPruneFails_LogsTheWarningWithTheStoreErrorOnStderr()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        await FinishRunLongAgoAsync(workspace);
        await RefuseJournalDeletesAsync(workspace);

        using var worker = workspace.Start("worker", "--node-id", "log-node", "--poll", "200ms");
        // The pruner's own frame is the entry's last line (stderr arrives line by line).
        await Eventually.TrueAsync(
            () => worker.Errors.Any(line => IsFrame(line, "Gantry.Engine.Runtime.RetentionPruner.RunAsync")) || worker.HasExited,
            "the worker logged its failed retention prune, with the store's stack trace, on stderr",
            TimeSpan.FromSeconds(60));

        var errors = worker.Errors;
        Assert.False(worker.HasExited, string.Join('\n', worker.Output));
        var at = errors.ToList().FindIndex(line => line.StartsWith("warn: Gantry.Engine.Runtime.RetentionPruner[3005]", StringComparison.Ordinal));
        Assert.True(at >= 0, string.Join('\n', errors));
        Assert.Equal("Retention prune (keeping runs for 30.00:00:00) failed; tried again in 01:00:00", errors[at + 1].Trim());
        Assert.StartsWith("Microsoft.Data.Sqlite.SqliteException", errors[at + 2].Trim(), StringComparison.Ordinal);
        Assert.Contains("journal rows are kept by policy", errors[at + 2], StringComparison.Ordinal);
        Assert.Contains(errors.Skip(at + 3), line => IsFrame(line, "Gantry.Engine.Stores.SqliteRunStore.PruneAsync"));
        Assert.DoesNotContain(worker.Output.Except(errors), line => line.Contains("prune", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// A value that names no level (a number passed Enum.TryParse before, and "7" silenced every entry) is
    /// reported on stderr, and the worker goes on logging at the default level: its warnings still show.
    /// </summary>
    [Theory]
    [InlineData("7")]
    [InlineData("42")]
    [InlineData("verbose")]
    public async Task Worker_LogLevelVariableNamesNoLevel_SaysSoOnStderrAndLogsWarningsAsByDefault(string value)
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        await FinishRunLongAgoAsync(workspace);
        await RefuseJournalDeletesAsync(workspace);

        using var worker = workspace.Start(new Dictionary<string, string> { ["GANTRY_LOG_LEVEL"] = value }, "worker", "--node-id", "log-node", "--poll", "200ms");
        await Eventually.TrueAsync(
            () => worker.Errors.Any(line => line.StartsWith("warn: Gantry.Engine.Runtime.RetentionPruner[3005]", StringComparison.Ordinal)) || worker.HasExited,
            "the worker logged its failed retention prune at the default level",
            TimeSpan.FromSeconds(60));

        Assert.False(worker.HasExited, string.Join('\n', worker.Output));
        Assert.Contains(
            $"gantry: GANTRY_LOG_LEVEL='{value}' is not a log level; expected one of trace, debug, information, info, warning, warn, error, critical, none (any case). Logging warnings and above.",
            worker.Errors);
    }

    private static bool IsFrame(string line, string method) =>
        line.TrimStart().StartsWith($"at {method}(", StringComparison.Ordinal);

    /// <summary>A run that finished a year ago, past the default 30-day retention, with its journal.</summary>
    private static async Task FinishRunLongAgoAsync(DurableWorkspace workspace)
    {
        var yearAgo = new FakeTimeProvider(DateTimeOffset.UtcNow.AddYears(-1));
        await using var stores = await RunStoreFactory.OpenAsync(workspace.Db, workspace.Root, yearAgo, CancellationToken.None);
        await stores.Runs.CreateRunAsync(new RunRecord
        {
            Id = "old-release",
            WorkflowId = "deploy",
            Definitions = new Dictionary<string, string> { ["deploy"] = "steps: []\n" },
            Status = RunStatus.Running,
            CreatedAt = yearAgo.GetUtcNow(),
            UpdatedAt = yearAgo.GetUtcNow(),
        }, CancellationToken.None);
        await stores.Runs.AppendAsync("old-release", [new JournalEvent { Type = JournalEventTypes.RunStarted, Time = yearAgo.GetUtcNow() }], CancellationToken.None);
        await stores.Runs.UpdateStatusAsync("old-release", RunStatus.Succeeded, null, CancellationToken.None);
    }

    /// <summary>A store whose journal rows may not be deleted (an audit policy a DBA added): every prune that reaches one fails.</summary>
    private static async Task RefuseJournalDeletesAsync(DurableWorkspace workspace)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(workspace.Root, ".gantry", "durable.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TRIGGER keep_journal BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'journal rows are kept by policy'); END;";
        await command.ExecuteNonQueryAsync();
    }
}
