using Gantry.Testing.Fleet;
using static Gantry.Cli.Tests.Durable.KillMatrix;

namespace Gantry.Cli.Tests.Durable;

/// <summary>The SIGKILL matrix on PostgreSQL: a kill during a step, during the wait, at a step's failure, and kills during a step, after the wait and during on_failure.</summary>
[Collection(PostgresCliCollection.Name)]
public sealed class PostgresKillTests(PostgresFixture postgres)
{
    public static TheoryData<string[]> Points => new()
    {
        new[] { "step.started build" },
        new[] { "step.waiting pause" },
        new[] { "step.failed broken" },
        new[] { "step.succeeded hello", "step.started package", "step.started cleanup" },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public async Task KilledAtPoints_RestartedWorkers_EndExactlyAsAnUninterruptedRun(string[] points)
    {
        var db = await postgres.CreateSchemaAsync();
        try
        {
            await using var workspace = await DurableWorkspace.CreateAsync(db);
            workspace.Write("workflows/durable.yaml", Workflow);

            var run = await KillMatrix.RunAsync(workspace, points.Select(SqliteKillTests.Parse).ToList());

            await AssertEndedAsUninterruptedAsync(workspace, run, kills: points.Length);
        }
        finally
        {
            await postgres.DropSchemaAsync(db);
        }
    }
}
