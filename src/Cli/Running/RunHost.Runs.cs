using Gantry.Cli.Commands;
using Gantry.Engine.Runtime;

namespace Gantry.Cli.Running;

/// <summary>Reading one run for the <c>gantry runs</c> verbs.</summary>
internal sealed partial class RunHost
{
    /// <summary>The run and its whole journal; a usage error naming the id when the store has no such run.</summary>
    public async Task<(RunRecord Run, IReadOnlyList<JournalEvent> Journal)> RequireRunAsync(string runId, CancellationToken cancellationToken)
    {
        var run = await Runs.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"no run with id '{runId}'");
        var journal = await Runs.ReadJournalAsync(run.Id, 0, cancellationToken).ConfigureAwait(false);
        return (run, journal);
    }
}
