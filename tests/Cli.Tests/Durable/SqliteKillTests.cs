using static Gantry.Cli.Tests.Durable.KillMatrix;

namespace Gantry.Cli.Tests.Durable;

/// <summary>The SIGKILL matrix on the default SQLite store: the CLI and its workers killed between steps, during a step, during the wait and during on_failure.</summary>
public sealed class SqliteKillTests
{
    public static TheoryData<string[]> Points => new()
    {
        Array.Empty<string>(),
        new[] { "step.started build" },
        new[] { "step.succeeded build" },
        new[] { "step.waiting pause" },
        new[] { "step.failed broken" },
        new[] { "step.started cleanup" },
        new[] { "step.started build", "step.started package", "step.succeeded cleanup" },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public async Task KilledAtPoints_RestartedWorkers_EndExactlyAsAnUninterruptedRun(string[] points)
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        workspace.Write("workflows/durable.yaml", Workflow);

        var run = await KillMatrix.RunAsync(workspace, points.Select(Parse).ToList());

        await AssertEndedAsUninterruptedAsync(workspace, run, kills: points.Length);
    }

    internal static KillPoint Parse(string point)
    {
        var parts = point.Split(' ');
        return new KillPoint(parts[0], parts.Length > 1 ? parts[1] : null);
    }
}
