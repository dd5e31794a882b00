using Gantry.Providers.Ssh;

namespace Gantry.Providers.Deploy;

/// <summary>The deploy step that was running.</summary>
public enum DeployStep { Connect, Inspect, Fetch, Build, Switch, Restart, HealthCheck, Prune, Rollback }

/// <summary>A successful deploy of one host.</summary>
/// <param name="Host">Host name.</param>
/// <param name="Release">The release now current.</param>
/// <param name="Previous">The release current before, if any.</param>
/// <param name="Changed">False when the release was already current and healthy (nothing was switched or restarted).</param>
/// <param name="Reused">True when a complete <c>releases/&lt;tag&gt;</c> was already on the host and was not fetched again.</param>
/// <param name="Pruned">Releases removed by keep_releases.</param>
/// <param name="Warning">A problem that did not fail the deploy (e.g. pruning failed), or null.</param>
public sealed record DeployResult(
    string Host,
    string Release,
    string? Previous,
    bool Changed,
    bool Reused,
    IReadOnlyList<string> Pruned,
    string? Warning)
{
    /// <summary>When and by which run a staging put the release on the host (time and run id), when the deploy went live from a staged release; else
    /// null.</summary>
    public string? Staged { get; init; }
}

/// <summary>A release staged on one host: fetched (or found complete), built and verified, not live.</summary>
/// <param name="Host">Host name.</param>
/// <param name="Release">The release staged.</param>
/// <param name="Current">The release the host still serves.</param>
/// <param name="Fetched">False when a complete copy was already there.</param>
/// <param name="Commit">The commit a cloned release is checked out at; null for an archive.</param>
public sealed record StageResult(string Host, string Release, string? Current, bool Fetched, string? Commit);

/// <summary>A successful rollback of one host.</summary>
/// <param name="Host">Host name.</param>
/// <param name="Release">The release now current.</param>
/// <param name="From">The release current before.</param>
/// <param name="Note">How the release was chosen when revisions.log could not say (a fallback the operator should know of), or null.</param>
public sealed record RollbackResult(string Host, string Release, string? From, string? Note = null);

/// <summary>What is deployed on one host.</summary>
/// <param name="Host">Host name.</param>
/// <param name="Current">Release the current link points to, or null when there is none.</param>
/// <param name="Releases">Complete releases, newest deploy first.</param>
/// <param name="Incomplete">Release folders without the completion marker (interrupted fetch or build).</param>
/// <param name="RecentRevisions">Last lines of revisions.log (time, action, release, previous, run, commit; tab-separated), oldest first.</param>
public sealed record ReleaseState(
    string Host,
    string? Current,
    IReadOnlyList<string> Releases,
    IReadOnlyList<string> Incomplete,
    IReadOnlyList<string> RecentRevisions)
{
    /// <summary>The complete release deployed before the current one, or null.</summary>
    public string? Previous
    {
        get
        {
            var index = Current is null ? -1 : Releases.ToList().IndexOf(Current);
            return index >= 0 && index + 1 < Releases.Count ? Releases[index + 1] : null;
        }
    }

    /// <summary>
    /// The release the current one was deployed over, as revisions.log recorded it (the newest
    /// <c>deploy</c> line of the current release), when that release is still kept; null when the
    /// log does not say (no log, lines another tool wrote, or a first deploy).
    /// </summary>
    public string? DeployedOver => Deploy()?.Previous is { } previous && Releases.Contains(previous) ? previous : null;

    /// <summary>
    /// What revisions.log says ran before the current release, even when that release is gone: its newest
    /// <c>deploy</c> line, or the line <c>gantry deploy adopt</c> wrote for a release another tool deployed.
    /// </summary>
    internal Revision? Deploy() =>
        RecentRevisions
            .Select(Revision.Parse)
            .LastOrDefault(r => r is { Action: "deploy" or ReleaseAdopter.AdoptAction or ReleaseAdopter.FoundAction } && r.Release == Current);

    internal string Describe() =>
        Releases.Count == 0 && Incomplete.Count == 0
            ? "there are no releases on the host"
            : "releases on the host (newest first): "
              + string.Join(", ", Releases.Select(r => r == Current ? $"{r} (current)" : r).Concat(Incomplete.Select(r => $"{r} (incomplete)")));
}

/// <summary>One host as status shows it.</summary>
/// <param name="State">Its releases and revisions.</param>
/// <param name="Healthy">Whether one health probe passed; null when the layout has no health check.</param>
/// <param name="HealthProblem">What the probe found wrong, when it failed.</param>
public sealed record HostInspection(ReleaseState State, bool? Healthy, string? HealthProblem);

/// <summary>A deploy of one host was cancelled; the host was left on a working release.</summary>
public sealed class DeployCanceledException : OperationCanceledException
{
    internal DeployCanceledException(string host, string? leftOn, string message, CancellationToken token, Exception? inner = null)
        : base(message, inner, token)
    {
        Host = host;
        LeftOn = leftOn;
    }

    /// <summary>Host name.</summary>
    public string Host { get; }

    /// <summary>The release current on the host after the cancellation, when known.</summary>
    public string? LeftOn { get; }
}

/// <summary>
/// The health check never passed. Not an SSH failure (an HTTP probe fails without any SSH error), so not
/// an <see cref="SshHostException"/>: the deployer's catches name it beside those.
/// </summary>
public sealed class HealthCheckException : Exception
{
    internal HealthCheckException(string host, string message)
        : base(message) => Host = host;

    /// <summary>The host's name (<see cref="SshHost.Name"/>).</summary>
    public string Host { get; }
}
