using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Server.Tests.Fixtures;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Server.Tests.Hosting;

public sealed class RetentionServiceTests
{
    [Fact]
    public async Task Start_DefaultRetention_PrunesRunsFinishedOver30DaysAgoAndKeepsRecentOnes()
    {
        var workspace = ServerFixture.CreateWorkspace();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(31));
        await using (var stores = await RunStoreFactory.OpenAsync(null, workspace, clock, CancellationToken.None))
        {
            await FinishedRunAsync(stores.Runs, "finished-31-days-ago", clock);
            clock.Advance(TimeSpan.FromDays(2));
            await FinishedRunAsync(stores.Runs, "finished-29-days-ago", clock);
        }

        SqliteConnection.ClearAllPools();
        await using var server = await ServerFixture.StartAsync(workspace: workspace);

        await Eventually.TrueAsync(
            async () => await server.Runs.GetRunAsync("finished-31-days-ago", CancellationToken.None) is null,
            "the retention service deletes the run finished 31 days ago",
            TimeSpan.FromSeconds(60),
            every: TimeSpan.FromMilliseconds(50));

        var left = await server.Runs.ListRunsAsync(new RunQuery(), CancellationToken.None);
        Assert.Equal(["finished-29-days-ago"], left.Select(r => r.Id));
    }

    [Theory]
    [InlineData("12h", 12.0)]
    [InlineData("30d", 720.0)]
    [InlineData("off", null)]
    [InlineData("0", null)]
    public void FromArgs_Retention_IsTheDurationOrOff(string value, double? hours)
    {
        var options = GantryServerOptions.FromArgs(["--retention", value]);

        Assert.Equal(hours is { } h ? TimeSpan.FromHours(h) : null, options.Retention);
    }

    private static async Task FinishedRunAsync(IRunStore runs, string id, TimeProvider clock)
    {
        await runs.CreateRunAsync(new RunRecord
        {
            Id = id,
            WorkflowId = "trivial",
            Definitions = new Dictionary<string, string> { ["trivial"] = "steps: []\n" },
            Status = RunStatus.Running,
            CreatedAt = clock.GetUtcNow(),
            UpdatedAt = clock.GetUtcNow(),
        }, CancellationToken.None);
        await runs.UpdateStatusAsync(id, RunStatus.Succeeded, null, CancellationToken.None);
    }
}
