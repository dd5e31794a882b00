using Gantry.Engine.Activities;

namespace Gantry.Benchmarks;

/// <summary>Does nothing, so a run's time is the engine's own per-step cost.</summary>
[Activity("bench.noop", Description = "Does nothing (benchmarks).")]
internal sealed class NoOpActivity : Activity<NoOpActivity.Inputs, NoOutputs>
{
    private static readonly Task<NoOutputs> Done = Task.FromResult(new NoOutputs());

    protected override Task<NoOutputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken) => Done;

    public sealed class Inputs
    {
    }
}
