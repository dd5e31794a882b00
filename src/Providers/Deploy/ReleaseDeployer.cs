using System.Globalization;
using System.Security.Cryptography;
using Gantry.Engine.Runtime;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Deploys a release to one host: fetch into <c>releases/&lt;tag&gt;</c> (or reuse a complete one),
/// build, switch <c>current</c> atomically, log, restart, check health, prune. A failure after the
/// switch puts the previous release back. Every step is safe to run again.
/// </summary>
public sealed class ReleaseDeployer
{
    /// <summary>File written into a release folder once it is fetched and built.</summary>
    public const string CompleteMarker = ".gantry-complete";

    /// <summary>
    /// File written into a release folder fetched by a staging (its time and run id), removed when the
    /// release goes live: pruning removes a staged release that never went live.
    /// </summary>
    public const string StagedMarker = ".gantry-staged";

    /// <summary>File next to the releases folder that records every switch.</summary>
    public const string RevisionsLog = "revisions.log";

    private static readonly HttpClient SharedHttp = new();
    private static readonly RemoteCommandOptions Quiet = new() { ReportOutput = false };

    private readonly SshConnectionPool _pool;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    /// <summary>Creates a deployer that takes its connections from <paramref name="pool"/>.</summary>
    /// <param name="pool">Connections of the run.</param>
    /// <param name="httpClient">Client for HTTP health checks; a shared one when null.</param>
    /// <param name="timeProvider">Clock for revisions.log and health-check waits.</param>
    public ReleaseDeployer(SshConnectionPool pool, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _http = httpClient ?? SharedHttp;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Called before the first deploy on a host whose current release another tool left (a tree without
    /// Gantry's marker), to adopt it; the deploy goes on whatever it does. The deploy script itself tells
    /// (it stops before changing anything), so a host Gantry already deployed costs no round trip more.
    /// Null deploys over such a release without asking.
    /// </summary>
    public Func<DeployTarget, CancellationToken, Task>? AdoptForeign { get; init; }

    /// <summary>Deploys <paramref name="release"/> (a tag) to the target host.</summary>
    /// <exception cref="DeployException">A step failed; the message says which, why, and what the host is left on.</exception>
    /// <exception cref="DeployCanceledException">Cancelled; the host is left on a working release.</exception>
    public async Task<DeployResult> DeployAsync(
        DeployTarget target,
        string release,
        ReleaseSource source,
        string runId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        Validate(target.Layout, release);
        LeaseGuard.ThrowIfLost();
        var (host, layout) = (target.Host, target.Layout);
        var progress = new HostDeployProgress();
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ScriptReport report;
        try
        {
            var connection = await _pool.GetAsync(host, cancellationToken).ConfigureAwait(false);
            progress.Step = DeployStep.Inspect;

            // The health check starts as soon as the script reports the restart done, beside its prune:
            // the host's time out of rotation is then switch + restart + health, not + prune.
            progress.StartHealthCheck = () => CheckHealthAsync(connection, target, release, probing.Token);
            var fetch = await PrepareFetchAsync(connection, layout, release, source, cancellationToken).ConfigureAwait(false);

            // One script per host; a build hook is a command of its own (with its own timeout), between
            // the fetch and the switch.
            var activation = HostDeployScript.Activation(layout, release, runId, EntryTime());
            var deploy = HostDeployScript.Deploy(
                layout,
                release,
                fetch.Lines,
                layout.BuildCommand is null ? activation : null,
                stopAtForeign: AdoptForeign is not null);
            report = await RunScriptAsync(connection, target, release, fetch, deploy, progress, cancellationToken).ConfigureAwait(false);
            if (report.ForeignCurrent)
            {
                await AdoptForeign!(target, cancellationToken).ConfigureAwait(false);
                deploy = HostDeployScript.Deploy(layout, release, fetch.Lines, layout.BuildCommand is null ? activation : null);
                report = await RunScriptAsync(connection, target, release, fetch, deploy, progress, cancellationToken).ConfigureAwait(false);
            }

            if (report.AlreadyCurrent)
            {
                return await EnsureHealthyAsync(connection, target, release, report.State, cancellationToken).ConfigureAwait(false);
            }

            if (layout.BuildCommand is { } build)
            {
                if (!report.Reused(release))
                {
                    progress.Step = DeployStep.Build;
                    await connection
                        .RunAsync(
                            $"cd {PosixShell.Quote($"{layout.ReleasesPath}/{release}")} && {HostDeployScript.Exports(layout, release, runId)} && sh "
                            + $"-c {PosixShell.Quote(build)} && touch {CompleteMarker}",
                            new RemoteCommandOptions { DisplayCommand = build },
                            cancellationToken)
                        .ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                var activated = await RunScriptAsync(
                        connection,
                        target,
                        release,
                        fetch,
                        HostDeployScript.Activate(layout, report.State.Current, activation),
                        progress,
                        cancellationToken)
                    .ConfigureAwait(false);
                report = report with { Pruned = activated.Pruned, PruneFailure = activated.PruneFailure };
            }

            cancellationToken.ThrowIfCancellationRequested();
            progress.Step = DeployStep.HealthCheck;
            await ((progress.HealthCheck ?? CheckHealthAsync(connection, target, release, cancellationToken)).ConfigureAwait(false));
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            await StopHealthCheckAsync(probing, progress).ConfigureAwait(false);
            if (!progress.Switched)
            {
                throw new DeployCanceledException(
                    host.Name,
                    progress.Previous,
                    $"Deploy of {release} to {host} was cancelled while {Verb(progress.Step)}; {StillOn(progress.Previous)}.",
                    cancellationToken,
                    ex);
            }

            // A user's cancel must not leave the host on an unchecked release: put the previous one back
            // under a token of its own, since the caller's is already cancelled.
            using var cleanup = new CancellationTokenSource(layout.RollbackTimeout, _time);
            var (leftOn, outcome, _) = await RevertAsync(target, release, progress.Previous, runId, cleanup.Token).ConfigureAwait(false);
            throw new DeployCanceledException(
                host.Name,
                leftOn,
                $"Deploy of {release} to {host} was cancelled while {Verb(progress.Step)}; {outcome}.",
                cancellationToken,
                ex);
        }
        catch (Exception ex)
            when (ex is SshHostException or HealthCheckException or DeployException
                or IOException or HttpRequestException or UnauthorizedAccessException)
        {
            await StopHealthCheckAsync(probing, progress).ConfigureAwait(false);
            if (!progress.Switched)
            {
                var state = progress.Step == DeployStep.Connect ? "nothing was changed on the host"
                    : ex is DeployException { RefusedLink: { } link }
                        ? $"its current link {link} was refused as unsafe; nothing was changed on the host"
                        : StillOn(progress.Previous);
                throw new DeployException(
                    host.Name,
                    release,
                    progress.Step,
                    progress.Previous,
                    $"Deploy of {release} to {host} failed while {Verb(progress.Step)}; {state}.\n{ex.Message}",
                    ex);
            }

            using var cleanup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cleanup.CancelAfter(layout.RollbackTimeout);
            var (leftOn, outcome, settled) = await RevertAsync(target, release, progress.Previous, runId, cleanup.Token).ConfigureAwait(false);
            throw new DeployException(
                host.Name,
                release,
                progress.Step,
                leftOn,
                $"Deploy of {release} to {host} failed while {Verb(progress.Step)}; {outcome}.\n{ex.Message}",
                ex,
                unsettled: !settled);
        }

        var warning = report.PruneFailure is { } failure ? $"Pruning old releases on {host} failed: {failure}" : null;
        return new DeployResult(host.Name, release, report.State.Current, Changed: true, report.Reused(release), report.Pruned, warning)
        {
            Staged = report.Staged,
        };
    }

    /// <summary>
    /// Stops a health check the script's restart started, before a revert restarts the host again: its
    /// outcome no longer matters (the deploy failed or was cancelled for another reason).
    /// </summary>
    private static async Task StopHealthCheckAsync(CancellationTokenSource probing, HostDeployProgress progress)
    {
        if (progress.HealthCheck is not { } running)
        {
            return;
        }

        await probing.CancelAsync().ConfigureAwait(false);
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception ex)
            when (ex is OperationCanceledException or SshHostException or HealthCheckException or IOException or HttpRequestException)
        {
            // Superseded by the failure being handled.
        }
    }

    /// <summary>
    /// Stages <paramref name="release"/> on the target host while it still serves: fetches it into
    /// <c>releases/&lt;release&gt;</c> unless a complete copy is there, runs the build hook, and
    /// verifies the tree (complete, not empty, a clone checked out at the tag or commit). Switches,
    /// restarts and prunes nothing, so a later deploy of the release is only switch, restart and health.
    /// </summary>
    /// <param name="commit">The full commit a commit deploy fetches; null for a tag.</param>
    /// <exception cref="DeployException">A step failed; the host still serves what it served.</exception>
    public async Task<StageResult> StageAsync(
        DeployTarget target,
        string release,
        ReleaseSource source,
        string runId,
        string? commit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        Validate(target.Layout, release);
        var (host, layout) = (target.Host, target.Layout);
        var step = DeployStep.Connect;
        var verifying = false;
        string? current = null;
        try
        {
            var connection = await _pool.GetAsync(host, cancellationToken).ConfigureAwait(false);
            step = DeployStep.Inspect;
            var fetch = await PrepareFetchAsync(connection, layout, release, source, cancellationToken, stagedBy: $"{EntryTime()} {runId}")
                .ConfigureAwait(false);
            var result = await connection
                .ExecuteAsync(
                    HostDeployScript.Stage(layout, release, fetch.Lines),
                    new RemoteCommandOptions
                    {
                        DisplayCommand = $"stage {release} in {layout.Root}",
                        Intercept = line => HostDeployScript.TryRead(line, out _, out _),
                    },
                    cancellationToken)
                .ConfigureAwait(false);
            var report = HostDeployScript.Parse(host.Name, result.StandardOutput);
            current = report.State.Current;
            if (!result.Succeeded)
            {
                step = report.LastStep ?? DeployStep.Inspect;
                throw new RemoteCommandException(host, result with
                {
                    Command = Shown(layout, release, fetch, step),
                    StandardError = HostDeployScript.StandardErrorOfLastStep(result.StandardError),
                });
            }

            if (layout.BuildCommand is { } build && !report.Reused(release))
            {
                step = DeployStep.Build;
                await connection
                    .RunAsync(
                        $"cd {PosixShell.Quote($"{layout.ReleasesPath}/{release}")} && {HostDeployScript.Exports(layout, release, runId)} && sh -c "
                        + $"{PosixShell.Quote(build)} && touch {CompleteMarker}",
                        new RemoteCommandOptions { DisplayCommand = build },
                        cancellationToken)
                    .ConfigureAwait(false);
            }

            verifying = true;
            var verified = await connection
                .RunAsync(
                    HostDeployScript.Verify(layout, release, commit),
                    new RemoteCommandOptions
                    {
                        DisplayCommand = $"verify the staged tree {layout.ReleasesPath}/{release}",
                        Intercept = line => HostDeployScript.TryRead(line, out _, out _),
                    },
                    cancellationToken)
                .ConfigureAwait(false);
            return new StageResult(
                host.Name,
                release,
                current,
                !report.Reused(release),
                HostDeployScript.Parse(host.Name, verified.StandardOutput).Commit);
        }
        catch (Exception ex) when (ex is SshHostException or DeployException or IOException or UnauthorizedAccessException)
        {
            var verb = verifying ? "verifying the staged tree" : Verb(step);
            var state =
                step == DeployStep.Connect
                    ? "nothing was changed on the host"
                    : $"nothing was switched or restarted, so the host still serves {current ?? "what it served"}";
            throw new DeployException(
                host.Name,
                release,
                step,
                current,
                $"Staging of {release} on {host} failed while {verb}; {state}.\n{ex.Message}",
                ex);
        }
    }

    /// <summary>
    /// Switches the host back to <paramref name="release"/>, or to the release deployed before the
    /// current one when null, then restarts and checks health.
    /// </summary>
    /// <exception cref="DeployException">The release is not on the host (the message lists what is), or a step failed.</exception>
    public async Task<RollbackResult> RollbackAsync(DeployTarget target, string? release, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        Validate(target.Layout, release);
        LeaseGuard.ThrowIfLost();
        var (host, layout) = (target.Host, target.Layout);
        var connection = await ConnectForAsync(host, release ?? "the previous release", cancellationToken).ConfigureAwait(false);
        var state = await ReadStateAsync(connection, layout, createRoot: false, cancellationToken).ConfigureAwait(false);
        string to;
        string? note = null;
        if (release is not null)
        {
            to = state.Releases.Contains(release)
                ? release
                : throw new DeployException(
                    host.Name,
                    release,
                    DeployStep.Rollback,
                    state.Current,
                    $"Cannot roll back {host} to {release}: there is no complete release {release} in {layout.ReleasesPath}; {state.Describe()}.",
                    null);
        }
        else
        {
            (to, note) = RanBefore(host, layout, state);
        }

        if (to == state.Current)
        {
            return new RollbackResult(host.Name, to, state.Current, note);
        }

        var step = DeployStep.Switch;
        try
        {
            await SwitchAsync(connection, layout, to, state.Current, "rollback", runId, touch: false, cancellationToken).ConfigureAwait(false);
            step = DeployStep.Restart;
            await RestartAsync(connection, layout, to, runId, cancellationToken).ConfigureAwait(false);
            step = DeployStep.HealthCheck;
            await CheckHealthAsync(connection, target, to, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshHostException or HealthCheckException or DeployException or IOException or HttpRequestException)
        {
            var leftOn = step == DeployStep.Switch ? state.Current : to;
            throw new DeployException(
                host.Name,
                to,
                step,
                leftOn,
                $"Rollback of {host} to {to} failed while {Verb(step)}; current is {leftOn ?? "unknown"}.\n{ex.Message}",
                ex,
                unsettled: true);
        }

        return new RollbackResult(host.Name, to, state.Current, note);
    }

    /// <summary>
    /// What the host ran before its current release, as its revisions.log recorded the switch (not
    /// the newest older folder: after a refused release was rolled back and the next one failed, that
    /// folder is the refused release). A log another tool wrote says nothing: then the release
    /// folder deployed before the current one is taken, and the note says so.
    /// </summary>
    private static (string Release, string? Note) RanBefore(SshHost host, DeployLayout layout, ReleaseState state)
    {
        if (state.Deploy() is { } deployed)
        {
            return deployed.Previous switch
            {
                null => throw NothingOlder(host, layout, state),
                var previous when state.Releases.Contains(previous) => (previous, null),
                var previous when state.Incomplete.Contains(previous) => throw new DeployException(
                    host.Name,
                    previous,
                    DeployStep.Rollback,
                    state.Current,
                    $"Cannot roll back {host}: {state.Current} was deployed over {previous}, which is in {layout.ReleasesPath} but was deployed by "
                    + $"another tool (it lacks {CompleteMarker}); record it with gantry deploy adopt, or name the release to go back to; "
                    + $"{state.Describe()}.",
                    null),
                var previous => throw new DeployException(
                    host.Name,
                    previous,
                    DeployStep.Rollback,
                    state.Current,
                    $"Cannot roll back {host}: its {RevisionsLog} says {state.Current} was deployed over {previous}, which is no longer kept in "
                    + $"{layout.ReleasesPath}; name the release to go back to, or clone {previous} again (fetch); {state.Describe()}.",
                    null),
            };
        }

        var older = state.Previous
            ?? throw (
                state.Incomplete.Count > 0
                    ? new DeployException(
                        host.Name,
                        "the previous release",
                        DeployStep.Rollback,
                        state.Current,
                        $"Cannot roll back {host}: there is no complete release older than {state.Current ?? "the current one"} in "
                        + $"{layout.ReleasesPath}; releases another tool deployed ({string.Join(", ", state.Incomplete)}) count once recorded with "
                        + $"gantry deploy adopt; {state.Describe()}.",
                        null)
                    : NothingOlder(host, layout, state));
        return (
            older,
            $"{host.Name}: {layout.Root}/{RevisionsLog} records no deploy of {state.Current} (no log, or one another tool wrote), so the rollback "
            + $"goes to the release folder deployed before it, {older}");
    }

    private static DeployException NothingOlder(SshHost host, DeployLayout layout, ReleaseState state) =>
        new(
            host.Name,
            "the previous release",
            DeployStep.Rollback,
            state.Current,
            $"Cannot roll back {host}: there is no release older than {state.Current ?? "the current one"} in {layout.ReleasesPath}; "
            + $"{state.Describe()}.",
            null);

    /// <summary>Reads the current release, the kept releases and the last revisions.log lines.</summary>
    public async Task<ReleaseState> ReadStateAsync(DeployTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var connection = await ConnectForAsync(target.Host, "state", cancellationToken).ConfigureAwait(false);
        return await ReadStateAsync(connection, target.Layout, createRoot: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What status shows of one host: its deploy state and whether it passes one health probe, in one
    /// SSH round trip (a command health check runs in the same script; an HTTP one is asked from here).
    /// Changes nothing on the host.
    /// </summary>
    public async Task<HostInspection> InspectAsync(DeployTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var connection = await ConnectForAsync(target.Host, "state", cancellationToken).ConfigureAwait(false);
        // A command check whose output must name the release is probed on its own, to read that output.
        var command = target.Layout.HealthCheck is CommandHealthCheck { ExpectRelease: false } plain ? plain : null;
        var (state, exit) = await ReadStateAsync(connection, target.Layout, createRoot: false, command?.Command, cancellationToken)
            .ConfigureAwait(false);
        string? problem = target.Layout.HealthCheck switch
        {
            null => null,
            CommandHealthCheck { ExpectRelease: false } c => exit == 0
                ? null
                : $"{c.Command} exited with {exit?.ToString(CultureInfo.InvariantCulture) ?? "no code"}",
            var check => await ProbeAsync(connection, target, check, state.Current, cancellationToken).ConfigureAwait(false),
        };
        return new HostInspection(state, target.Layout.HealthCheck is null ? null : problem is null, problem);
    }

    private async Task<SshHostConnection> ConnectForAsync(SshHost host, string release, CancellationToken cancellationToken)
    {
        try
        {
            return await _pool.GetAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SshHostException ex)
        {
            throw new DeployException(
                host.Name,
                release,
                DeployStep.Connect,
                null,
                $"Cannot reach {host}; nothing was changed on the host.\n{ex.Message}",
                ex);
        }
    }

    private static async Task<ReleaseState> ReadStateAsync(
        SshHostConnection connection,
        DeployLayout layout,
        bool createRoot,
        CancellationToken cancellationToken
    ) => (await ReadStateAsync(connection, layout, createRoot, healthCommand: null, cancellationToken).ConfigureAwait(false)).State;

    /// <param name="healthCommand">A command health check run in the same round trip; its exit code is returned.</param>
    private static async Task<(ReleaseState State, int? HealthExit)> ReadStateAsync(
        SshHostConnection connection,
        DeployLayout layout,
        bool createRoot,
        string? healthCommand,
        CancellationToken cancellationToken)
    {
        var script =
            HostDeployScript.ReadState(layout, createRoot)
            + (
                healthCommand is null
                    ? string.Empty
                    : $"( sh -c {PosixShell.Quote(healthCommand)} ) >/dev/null 2>&1 </dev/null; echo \"{HostDeployScript.Prefix}health=$?\"\n")
            + "true";
        var output = (
            await connection
                .RunAsync(script, Quiet with { DisplayCommand = $"read deploy state of {layout.Root}" }, cancellationToken)
                .ConfigureAwait(false)
        ).StandardOutput;
        var report = HostDeployScript.Parse(connection.Host.Name, output);
        return (report.State, report.HealthExit);
    }

    private async Task<DeployResult> EnsureHealthyAsync(
        SshHostConnection connection,
        DeployTarget target,
        string release,
        ReleaseState state,
        CancellationToken cancellationToken)
    {
        // Already current: a repeated or resumed deploy. Restart only if the service does not answer.
        var step = DeployStep.HealthCheck;
        try
        {
            if (target.Layout.HealthCheck is null || await IsHealthyAsync(connection, target, release, cancellationToken).ConfigureAwait(false))
            {
                return new DeployResult(target.Host.Name, release, state.Previous, Changed: false, Reused: true, [], null);
            }

            step = DeployStep.Restart;
            await RestartAsync(connection, target.Layout, release, "resume", cancellationToken).ConfigureAwait(false);
            step = DeployStep.HealthCheck;
            await CheckHealthAsync(connection, target, release, cancellationToken).ConfigureAwait(false);
            return new DeployResult(target.Host.Name, release, state.Previous, Changed: true, Reused: true, [], null);
        }
        catch (Exception ex) when (ex is SshHostException or HealthCheckException or DeployException or IOException or HttpRequestException)
        {
            throw new DeployException(
                target.Host.Name,
                release,
                step,
                release,
                $"Deploy of {release} to {target.Host} failed while {Verb(step)}; {release} was already current, so there is nothing to roll "
                + $"back.\n{ex.Message}",
                ex);
        }
    }

    /// <summary>
    /// The shell lines that put the release's tree in <c>releases/&lt;release&gt;</c> (run from the
    /// deploy root, only when no complete copy is there), and how messages show them. An archive is
    /// uploaded first, unless the host already has the release.
    /// </summary>
    /// <param name="stagedBy">Written into the staged marker (staging only): the release is not live yet.</param>
    private static async Task<FetchPlan> PrepareFetchAsync(
        SshHostConnection connection,
        DeployLayout layout,
        string release,
        ReleaseSource source,
        CancellationToken cancellationToken,
        string? stagedBy = null)
    {
        var suffix = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        var final = PosixShell.Quote($"{layout.ReleasesFolder}/{release}");
        var temp = PosixShell.Quote($"{layout.ReleasesFolder}/{release}.tmp-{suffix}");
        var markNow = (layout.BuildCommand is null ? $"touch {temp}/{CompleteMarker}\n" : string.Empty)
            + (stagedBy is null ? string.Empty : $"printf '%s\\n' {PosixShell.Quote(stagedBy)} > {temp}/{StagedMarker}\n");
        string fetch, shown;
        switch (source)
        {
            case GitReleaseSource { Commit: { } commit } git:
                shown = $"git fetch --depth 1 {PosixShell.Quote(git.Origin)} {commit}";
                fetch =
                    $"{{ git init --quiet {temp} && git -C {temp} fetch --quiet --depth 1 {PosixShell.Quote(git.Origin)} {PosixShell.Quote(commit)} "
                    + $"&& git -C {temp} -c advice.detachedHead=false checkout --quiet FETCH_HEAD; }} || {{ rc=$?; rm -rf {temp}; exit $rc; }}";
                break;
            case GitReleaseSource git:
                shown = $"git clone --depth 1 --branch {PosixShell.Quote(release)} {PosixShell.Quote(git.Origin)} {temp}";
                fetch =
                    $"git -c advice.detachedHead=false clone --quiet --depth 1 --branch {PosixShell.Quote(release)} {PosixShell.Quote(git.Origin)} "
                    + $"{temp} || {{ rc=$?; rm -rf {temp}; exit $rc; }}";
                break;
            case ArchiveReleaseSource archive:
                var upload = $"{layout.ReleasesPath}/.{release}.upload-{suffix}.tar.gz";
                shown = $"tar -xzf {PosixShell.Quote(upload)} -C {temp}";
                if ((await ReadStateAsync(connection, layout, createRoot: true, cancellationToken).ConfigureAwait(false)).Releases.Contains(release))
                {
                    return new FetchPlan("true", shown);
                }

                var file = File.OpenRead(archive.ArchivePath);
                await using (file.ConfigureAwait(false))
                {
                    await connection.UploadAsync(file, upload, cancellationToken).ConfigureAwait(false);
                }

                fetch =
                    $"mkdir -p {temp} && tar -xzf {PosixShell.Quote(upload)} -C {temp} || {{ rc=$?; rm -rf {temp} {PosixShell.Quote(upload)}; exit "
                    + $"$rc; }}\nrm -f {PosixShell.Quote(upload)}";
                break;
            default:
                throw new ArgumentException($"Unsupported release source {source.GetType().Name}.", nameof(source));
        }

        return new FetchPlan($"rm -rf {final}\n{fetch}\n{markNow}mv -T {temp} {final}", shown);
    }

    /// <summary>
    /// Runs a deploy script, following the step it is in as its reports arrive. The caller's token
    /// stops it only before the switch: a switch or restart is not interrupted half-way (a killed
    /// restart can leave a stray process behind), and the caller honours the cancel right after it.
    /// </summary>
    private async Task<ScriptReport> RunScriptAsync(
        SshHostConnection connection,
        DeployTarget target,
        string release,
        FetchPlan fetch,
        string script,
        HostDeployProgress progress,
        CancellationToken cancellationToken)
    {
        var layout = target.Layout;
        using var stoppable = new CancellationTokenSource();
        using var stop = cancellationToken.Register(() =>
        {
            if (!progress.Switched)
            {
                stoppable.Cancel();
            }
        });
        var options = new RemoteCommandOptions
        {
            DisplayCommand = $"deploy {release} in {layout.Root}",
            Intercept = line => progress.Read(line),
        };
        CommandResult result;
        try
        {
            result = await connection.ExecuteAsync(script, options, stoppable.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !progress.Switched)
        {
            // The cancel may have raced the switch: ask the host where current points now.
            using var check = new CancellationTokenSource(layout.RollbackTimeout, _time);
            if ((await ReadStateAsync(connection, layout, createRoot: false, check.Token).ConfigureAwait(false)).Current == release
                && progress.Previous != release)
            {
                progress.Step = DeployStep.Switch;
            }

            throw;
        }
        catch (RemoteCommandTimeoutException ex)
        {
            throw new RemoteCommandTimeoutException(target.Host, Shown(layout, release, fetch, progress.Step), ex.Timeout);
        }

        if (!result.Succeeded)
        {
            var step = HostDeployScript.Parse(target.Host.Name, result.StandardOutput).LastStep ?? DeployStep.Inspect;
            progress.Step = step;
            throw new RemoteCommandException(target.Host, result with
            {
                Command = Shown(layout, release, fetch, step),
                StandardError = HostDeployScript.StandardErrorOfLastStep(result.StandardError),
            });
        }

        return HostDeployScript.Parse(target.Host.Name, result.StandardOutput);
    }

    /// <summary>How messages show what the script was doing in <paramref name="step"/>.</summary>
    private static string Shown(DeployLayout layout, string release, FetchPlan fetch, DeployStep step) => step switch
    {
        DeployStep.Fetch => fetch.Shown,
        DeployStep.Switch => HostDeployScript.SwitchCommand(layout, release),
        DeployStep.Restart => layout.RestartCommand,
        DeployStep.Prune => $"rm -rf old releases in {layout.ReleasesPath}",
        _ => $"read deploy state of {layout.Root}",
    };

    private async Task SwitchAsync(
        SshHostConnection connection,
        DeployLayout layout,
        string release,
        string? previous,
        string action,
        string runId,
        bool touch,
        CancellationToken cancellationToken)
    {
        var script = $"set -e\ncd {PosixShell.Quote(layout.Root)}\n"
            + HostDeployScript.Switch(layout, release, PosixShell.Quote(previous ?? "-"), EntryTime(), action, runId, touch);
        await connection
            .RunAsync(script, Quiet with { DisplayCommand = HostDeployScript.SwitchCommand(layout, release) }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>revisions.log's time of an entry written now.</summary>
    private string EntryTime() => _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Task RestartAsync(
        SshHostConnection connection,
        DeployLayout layout,
        string release,
        string runId,
        CancellationToken cancellationToken
    ) =>
        connection.RunAsync(
            $"cd {PosixShell.Quote(layout.Root)} && {HostDeployScript.Exports(layout, release, runId)} && sh -c "
            + $"{PosixShell.Quote(layout.RestartCommand)}",
            new RemoteCommandOptions { DisplayCommand = layout.RestartCommand },
            cancellationToken);

    /// <returns>Where the host is left, what happened, and whether it is settled (back on the previous release and healthy).</returns>
    private async Task<(string? LeftOn, string Outcome, bool Settled)> RevertAsync(
        DeployTarget target,
        string release,
        string? previous,
        string runId,
        CancellationToken cancellationToken)
    {
        if (previous is null)
        {
            return (release, $"there was no previous release to roll back to, so {release} stays current", false);
        }

        try
        {
            var connection = await _pool.GetAsync(target.Host, cancellationToken).ConfigureAwait(false);
            await SwitchAsync(connection, target.Layout, previous, release, "rollback", runId, touch: false, cancellationToken).ConfigureAwait(false);
            await RestartAsync(connection, target.Layout, previous, runId, cancellationToken).ConfigureAwait(false);
            try
            {
                await CheckHealthAsync(connection, target, previous, cancellationToken).ConfigureAwait(false);
            }
            catch (HealthCheckException ex)
            {
                return (previous, $"rolled back to {previous}, but its health check failed as well ({ex.Message.TrimEnd('.')})", false);
            }

            return (previous, $"rolled back to {previous}", true);
        }
        catch (Exception ex) when (ex is SshHostException or DeployException or IOException or OperationCanceledException)
        {
            return (null, $"ROLLING BACK TO {previous} ALSO FAILED, CHECK THE HOST NOW ({ex.Message.ReplaceLineEndings(" ")})", false);
        }
    }

    /// <param name="release">The release the host should serve now (an expect_release check looks for it).</param>
    private async Task CheckHealthAsync(SshHostConnection connection, DeployTarget target, string? release, CancellationToken cancellationToken)
    {
        if (target.Layout.HealthCheck is not { } check)
        {
            return;
        }

        string? problem = null;
        for (var attempt = 1; attempt <= check.Attempts; attempt++)
        {
            problem = await ProbeAsync(connection, target, check, release, cancellationToken).ConfigureAwait(false);
            if (problem is null)
            {
                return;
            }

            if (attempt < check.Attempts)
            {
                await Task.Delay(check.Interval, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        var tries = check.Attempts == 1 ? "1 attempt" : $"{check.Attempts} attempts";
        throw new HealthCheckException(
            target.Host.Name,
            $"Health check of {target.Host} failed after {tries} ({Durations.Format(check.Interval)} apart): {problem}.");
    }

    private async Task<bool> IsHealthyAsync(SshHostConnection connection, DeployTarget target, string release, CancellationToken cancellationToken) =>
        await ProbeAsync(connection, target, target.Layout.HealthCheck!, release, cancellationToken).ConfigureAwait(false) is null;

    /// <summary>One health probe: null when healthy, else what was wrong.</summary>
    private async Task<string?> ProbeAsync(
        SshHostConnection connection,
        DeployTarget target,
        HealthCheck check,
        string? release,
        CancellationToken cancellationToken)
    {
        switch (check)
        {
            case HttpHealthCheck http:
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(http.RequestTimeout);
                    try
                    {
                        using var response = await _http
                            .GetAsync(http.Url, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                            .ConfigureAwait(false);
                        var status = (int)response.StatusCode;
                        if (status != http.ExpectedStatus)
                        {
                            return $"GET {http.Url} answered {status}, expected {http.ExpectedStatus}";
                        }

                        var expected = http.ExpectedBody(release);
                        var namesRelease = http.ExpectRelease ? release : null;
                        if (expected is null && namesRelease is null)
                        {
                            return null;
                        }

                        var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                        if (expected is not null && !body.Contains(expected, StringComparison.Ordinal))
                        {
                            return $"GET {http.Url} answered {status} but the body does not contain '{expected}'";
                        }

                        return namesRelease is null || ReleaseAnswer.Names(body, namesRelease)
                            ? null
                            : $"GET {http.Url} answered {status} but does not name {ReleaseAnswer.Describe(namesRelease)}: it serves "
                                + $"{ReleaseAnswer.Excerpt(body)}";
                    }
                    catch (HttpRequestException ex)
                    {
                        return $"GET {http.Url} failed: {ex.Message}";
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        return $"GET {http.Url} got no answer within {Durations.Format(http.RequestTimeout)}";
                    }
                }

            case CommandHealthCheck command:
                var result = await connection.ExecuteAsync(
                    $"cd {PosixShell.Quote(target.Layout.Root)} && {command.Command}",
                    new RemoteCommandOptions { DisplayCommand = command.Command },
                    cancellationToken).ConfigureAwait(false);
                var tail = RemoteCommandException.Tail(result.StandardError).Split('\n')[^1];
                if (!result.Succeeded)
                {
                    return $"{result.Command} exited with {result.ExitCode}{(tail.Length > 0 ? $" ({tail})" : string.Empty)}";
                }

                return command.ExpectRelease && release is not null && !ReleaseAnswer.Names(result.StandardOutput, release)
                    ? $"{result.Command} exited with 0 but its output does not name {ReleaseAnswer.Describe(release)}: it printed "
                        + $"{ReleaseAnswer.Excerpt(result.StandardOutput)}"
                    : null;

            default:
                throw new ArgumentException($"Unsupported health check {check.GetType().Name}.", nameof(target));
        }
    }

    private static string StillOn(string? previous) => previous is null ? "the host has no current release" : $"the host is still on {previous}";

    private static string Verb(DeployStep step) => step switch
    {
        DeployStep.Connect => "connecting",
        DeployStep.Inspect => "reading its state",
        DeployStep.Fetch => "fetching the release",
        DeployStep.Build => "running the build command",
        DeployStep.Switch => "switching current",
        DeployStep.Restart => "restarting",
        DeployStep.HealthCheck => "checking health",
        DeployStep.Prune => "pruning old releases",
        _ => "rolling back",
    };

    private static void Validate(DeployLayout layout, string? release)
    {
        var errors = layout.Validate().ToList();
        if (release is not null && !DeployLayout.IsSafeReleaseName(release))
        {
            errors.Add($"release '{release}' must be a plain name (letters, digits, '.', '_', '+', '-'), e.g. v3.0.1.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid deploy settings:\n- " + string.Join("\n- ", errors));
        }
    }

    /// <summary>The fetch lines of a deploy script and how messages show them.</summary>
    private sealed record FetchPlan(string Lines, string Shown);

    /// <summary>Where one host's deploy is, as far as this side knows; read while its script runs.</summary>
    private sealed class HostDeployProgress
    {
        private volatile int _step = (int)DeployStep.Connect;

        public DeployStep Step
        {
            get => (DeployStep)_step;
            set => _step = (int)value;
        }

        /// <summary>The release current before the deploy, once the host said.</summary>
        public string? Previous { get; private set; }

        /// <summary>Starts the health check; called once, when the script reports its restart done.</summary>
        public Func<Task>? StartHealthCheck { get; set; }

        /// <summary>The health check started after the script's restart, or null.</summary>
        public Task? HealthCheck { get; private set; }

        /// <summary>Whether current may point at the new release: a failure from here on means rolling back.</summary>
        public bool Switched => Step is DeployStep.Switch or DeployStep.Restart or DeployStep.Prune or DeployStep.HealthCheck;

        /// <summary>Follows a script's report line; true when it was one (so it stays out of the journal).</summary>
        public bool Read(string line)
        {
            if (!HostDeployScript.TryRead(line, out var key, out var value))
            {
                return false;
            }

            if (key == "step" && Enum.TryParse<DeployStep>(value, out var step))
            {
                Step = step;
                if (step == DeployStep.Prune && StartHealthCheck is { } start && HealthCheck is null)
                {
                    // Off the output pump's thread: the check's first probe must not hold up the script's output.
                    HealthCheck = Task.Run(start);
                }
            }
            else if (key == "current" && value.Length > 0)
            {
                Previous = value;
            }

            return true;
        }
    }
}
