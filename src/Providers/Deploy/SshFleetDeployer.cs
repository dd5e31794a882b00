using System.Diagnostics;
using System.Text.RegularExpressions;
using Gantry.Engine.Activities;
using Gantry.Engine.Documents;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Providers.Ssh;
using Model = Gantry.Engine.Model;
using SshDeployException = Gantry.Providers.Ssh.DeployException;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Puts releases on real hosts over SSH: one connection pool per call, one <see cref="DeployTarget"/>
/// per host (restart, build and health rendered for that host), <see cref="GroupDeployer"/> for the
/// fleet. Failing hosts are rolled back by <see cref="ReleaseDeployer"/>; the others keep the new release.
/// </summary>
internal sealed partial class SshFleetDeployer(TimeProvider time, SshRunConnections? connections = null) : IFleetDeployer
{
    public async Task<FleetResult> DeployAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var release = ReleaseOf(request);
        var targets = Targets(request.Environment, request.Hosts, request.KeepReleases);
        using var borrowed = Borrow(request);
        var adopter = new ReleaseAdopter(borrowed.Pool, time);
        var group = new GroupDeployer(new ReleaseDeployer(borrowed.Pool, timeProvider: time)
        {
            AdoptForeign = (target, token) => AdoptForeignAsync(adopter, request, target, token),
        });
        await using var source = await SourceAsync(borrowed.Pool, request, targets, cancellationToken).ConfigureAwait(false);
        var options = new GroupDeployOptions
        {
            MaxParallel = Math.Max(1, request.MaxParallel),
            Progress = p => request.Log.Progress(p.Done, p.Total, p.Failed),
        };
        var result = await group.DeployAsync(targets, release, source.Source, request.RunId, options, cancellationToken).ConfigureAwait(false);
        return new FleetResult(result.Hosts.Select(h => Outcome(h, request.Log)).ToList());
    }

    public async Task<FleetResult> StageAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var release = ReleaseOf(request);
        var targets = Targets(request.Environment, request.Hosts, request.KeepReleases);
        using var borrowed = Borrow(request);
        var deployer = new ReleaseDeployer(borrowed.Pool, timeProvider: time);
        await using var source = await SourceAsync(borrowed.Pool, request, targets, cancellationToken).ConfigureAwait(false);
        return await ForEachHostAsync(request, targets, async (target, token) =>
        {
            var staged = await deployer.StageAsync(target, release, source.Source, request.RunId, request.Commit, token).ConfigureAwait(false);
            request.Log.Info((staged.Fetched ? $"staged {release}" : $"{release} already complete here, kept")
                + (staged.Commit is { } commit ? $" (commit {commit[..Math.Min(12, commit.Length)]})" : "") + $"; still serving {staged.Current ?? "nothing"}", staged.Host);
            return new HostOutcome(staged.Host, true, staged.Current, null, null);
        }, "Staging", cancellationToken).ConfigureAwait(false);
    }

    public async Task<FleetResult> RollbackAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var targets = Targets(request.Environment, request.Hosts, request.KeepReleases);
        using var borrowed = Borrow(request);
        var deployer = new ReleaseDeployer(borrowed.Pool, timeProvider: time);
        return await ForEachHostAsync(request, targets, async (target, token) =>
        {
            var name = target.Host.Name;
            var rolled = await deployer.RollbackAsync(target, request.Release, request.RunId, token).ConfigureAwait(false);
            if (rolled.Note is { } note)
            {
                request.Log.Warn(note, name);
            }

            request.Log.Info($"rolled back to {rolled.Release}", name);
            return new HostOutcome(name, true, rolled.Release, rolled.From, null);
        }, "Rollback", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="act"/> on every target, <see cref="FleetRequest.MaxParallel"/> at once; a host that fails is an outcome, not an exception.</summary>
    /// <param name="what">How a failure's message starts, e.g. <c>Rollback</c>.</param>
    private static async Task<FleetResult> ForEachHostAsync(FleetRequest request, IReadOnlyList<DeployTarget> targets, Func<DeployTarget, CancellationToken, Task<HostOutcome>> act, string what, CancellationToken cancellationToken)
    {
        var outcomes = new HostOutcome[targets.Count];
        var done = 0;
        var failed = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, targets.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.MaxParallel), CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var name = targets[index].Host.Name;
                try
                {
                    outcomes[index] = await act(targets[index], token).ConfigureAwait(false);
                }
                catch (SshDeployException ex)
                {
                    Interlocked.Increment(ref failed);
                    request.Log.Warn(ex.Message, name);
                    outcomes[index] = new HostOutcome(name, false, ex.LeftOn, null, ex.Message, ex.Unsettled);
                }
                catch (Exception ex) when (ex is SshHostException or IOException or HttpRequestException or ArgumentException)
                {
                    Interlocked.Increment(ref failed);
                    request.Log.Warn(ex.Message, name);
                    outcomes[index] = new HostOutcome(name, false, null, null, $"{what} of {name} failed: {ex.Message}");
                }

                request.Log.Progress(Interlocked.Increment(ref done), targets.Count, Volatile.Read(ref failed));
            }).ConfigureAwait(false);
        return new FleetResult(outcomes);
    }

    public async Task<IReadOnlyList<HostReleaseState>> ReadStateAsync(EnvironmentDefinition environment, IReadOnlyList<string> hosts, string dataDirectory, bool probeHealth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);

        // Outside a run: no secret accessor, so a key_secret is read straight from its reference in the environment.
        using var pool = new SshConnectionPool(Options(environment, name => ReadSecretReference(environment, name), static text => text, log: null), time);
        return await ReadStatesAsync(pool, environment, hosts, probeHealth, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<HostReleaseState>> ReadStateAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var borrowed = Borrow(request);
        return await ReadStatesAsync(borrowed.Pool, request.Environment, request.Hosts, probeHealth: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<HostReleaseState>> ReadStatesAsync(SshConnectionPool pool, EnvironmentDefinition environment, IReadOnlyList<string> hosts, bool probeHealth, CancellationToken cancellationToken)
    {
        var targets = Targets(environment, hosts, Math.Max(2, environment.Deploy.KeepReleases));
        var deployer = new ReleaseDeployer(pool, timeProvider: time);
        var states = await Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                if (!probeHealth)
                {
                    var state = await deployer.ReadStateAsync(target, cancellationToken).ConfigureAwait(false);
                    return new HostReleaseState(target.Host.Name, state.Current, Previous(state), state.Releases, state.RecentRevisions) { Foreign = state.Incomplete };
                }

                var inspection = await deployer.InspectAsync(target, cancellationToken).ConfigureAwait(false);
                var read = inspection.State;
                return new HostReleaseState(target.Host.Name, read.Current, Previous(read), read.Releases, read.RecentRevisions, inspection.Healthy, inspection.HealthProblem) { Foreign = read.Incomplete };
            }
            catch (Exception ex) when (ex is SshHostException or IOException)
            {
                return new HostReleaseState(target.Host.Name, null, null, [], [], Error: ex.Message);
            }
        })).ConfigureAwait(false);
        return states;
    }

    public async Task<IReadOnlyList<HostAdoption>> AdoptAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var targets = Targets(request.Environment, request.Hosts, Math.Max(2, request.KeepReleases));
        using var borrowed = Borrow(request);
        var adopter = new ReleaseAdopter(borrowed.Pool, time);
        return await Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                var adoption = await adopter.AdoptAsync(target, request.RunId, cancellationToken).ConfigureAwait(false);
                return new HostAdoption(target.Host.Name, adoption.Current, adoption.Adopted, adoption.Skipped);
            }
            catch (Exception ex) when (ex is SshHostException or IOException)
            {
                return new HostAdoption(target.Host.Name, null, [], [], ex.Message);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// The first Gantry deploy on a host another tool deployed adopts what it finds first, as <c>gantry deploy adopt</c>
    /// does, so the rollback after it can go back to the release the other tool left. Called by the deploy when its
    /// script found a current release without Gantry's marker (a host Gantry deployed or adopted costs nothing more).
    /// A host that cannot be adopted is warned about and still deployed.
    /// </summary>
    private static async Task AdoptForeignAsync(ReleaseAdopter adopter, FleetRequest request, DeployTarget target, CancellationToken cancellationToken)
    {
        try
        {
            var adoption = await adopter.AdoptAsync(target, request.RunId, cancellationToken, onlyForeign: true).ConfigureAwait(false);
            if (adoption.Adopted.Count > 0)
            {
                request.Log.Info($"adopted {string.Join(", ", adoption.Adopted)} (deployed by another tool) into Gantry's history before the first deploy", target.Host.Name);
            }
        }
        catch (Exception ex) when (ex is SshHostException or IOException or SshDeployException)
        {
            request.Log.Warn($"could not adopt the releases another tool left: {ex.Message}", target.Host.Name);
        }
    }

    private static string ReleaseOf(FleetRequest request) =>
        request.Release ?? throw new DeployException($"environment {request.Environment.Id}: no release to deploy was given");

    /// <summary>A staged marker (time and run id) as the journal shows it: "2026-12-07T00:31:02Z by run r-…".</summary>
    private static string StagedText(string marker) =>
        marker.Split(' ', 2) is [var at, var run] ? $"{at} by run {run}" : marker;

    /// <summary>
    /// Where the hosts get the release: origin (a clone), or an archive made here. The archive is not
    /// made when every host already has the release complete (staged), so a deploy after a staging
    /// does no git work on this machine either.
    /// </summary>
    private async Task<ReleaseSourceLease> SourceAsync(SshConnectionPool pool, FleetRequest request, IReadOnlyList<DeployTarget> targets, CancellationToken cancellationToken)
    {
        var environment = request.Environment;
        if (environment.Deploy.Source != Model.ReleaseSource.Archive)
        {
            return new ReleaseSourceLease(new GitReleaseSource(Origin(environment)) { Commit = request.Commit }, null);
        }

        var deployer = new ReleaseDeployer(pool, timeProvider: time);
        var states = await Task.WhenAll(targets.Select(async t =>
        {
            try
            {
                return await deployer.ReadStateAsync(t, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SshHostException or IOException)
            {
                return null;
            }
        })).ConfigureAwait(false);
        if (states.All(s => s is not null && s.Releases.Contains(request.Release!)))
        {
            return new ReleaseSourceLease(new ArchiveReleaseSource(Path.Combine(Path.GetTempPath(), "gantry-unused-archive.tar.gz")), null);
        }

        var archive = await CreateArchiveAsync(environment, request.Commit ?? request.Release!, cancellationToken).ConfigureAwait(false);
        return new ReleaseSourceLease(new ArchiveReleaseSource(archive), archive);
    }

    /// <summary>A release source and the archive file to delete once the hosts have it.</summary>
    private sealed record ReleaseSourceLease(Ssh.ReleaseSource Source, string? Archive) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            if (Archive is not null)
            {
                TryDelete(Archive);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The release the current one was deployed over, as revisions.log recorded it; folder times are
    /// the fallback only, since an app writing into its release folder changes them.
    /// </summary>
    private static string? Previous(ReleaseState state) => state.DeployedOver ?? state.Previous;

    private static HostOutcome Outcome(HostDeployResult host, IStepLog log)
    {
        if (host.Succeeded)
        {
            var deployed = host.Result!;
            log.Info((deployed.Changed ? $"now on {deployed.Release}" : $"already on {deployed.Release}")
                + (deployed.Staged is { } staged ? $" (staged at {StagedText(staged)}; not fetched again)" : ""), host.Host);
            if (deployed.Warning is { } warning)
            {
                log.Warn(warning, host.Host);
            }

            return new HostOutcome(host.Host, true, deployed.Release, deployed.Previous, null);
        }

        var error = host.Outcome switch
        {
            HostDeployOutcome.NotStarted => $"{host.Host}: not started (the deploy was cancelled)",
            _ => host.Error?.Message ?? $"{host.Host}: deploy {host.Outcome.ToString().ToLowerInvariant()}",
        };
        if (host.Error is not null and not SshHostException)
        {
            error = $"Deploy to {host.Host} failed: {error}";
        }

        log.Warn(error, host.Host);
        return new HostOutcome(host.Host, false, host.Current, host.Current, error, host.Error is SshDeployException { Unsettled: true });
    }

    /// <summary>The run's connections when this deployer has a run cache (one connection per host per run), else a pool of the step's own.</summary>
    private SshRunConnections.Borrowed Borrow(FleetRequest request)
    {
        var environment = request.Environment;
        if (connections is null)
        {
            var pool = new SshConnectionPool(Options(environment, request.Secrets.Get, request.Secrets.Masker.Apply, request.Log), time);
            return new SshRunConnections.Borrowed(pool, pool.Dispose);
        }

        return connections.Borrow(request.RunId, environment.Id, request.Log, output => Options(environment, request.Secrets.Get, request.Secrets.Masker.Apply, output));
    }

    internal static SshConnectionOptions Options(EnvironmentDefinition environment, Func<string, string> secret, Func<string, string> mask, IStepLog? log) =>
        Options(environment, secret, mask, log is null ? null : line => log.Output(line.Line, line.Stream == SshStream.StandardError ? "stderr" : "stdout", line.Host));

    internal static SshConnectionOptions Options(EnvironmentDefinition environment, Func<string, string> secret, Func<string, string> mask, Action<SshOutputLine>? output)
    {
        var ssh = environment.Ssh;
        if (string.IsNullOrWhiteSpace(ssh.KnownHosts))
        {
            throw new DeployException($"environment {environment.Id}: ssh.known_hosts must be set (a known_hosts file, relative to the environment file, holding the key of every host); Gantry never accepts host keys blindly");
        }

        if (ssh.KeyExchange is { } keyExchange && KeyExchangePreference.Problem(keyExchange) is { } problem)
        {
            throw new DeployException($"environment {environment.Id}: ssh.key_exchange {problem}");
        }

        var credentials = new SshCredentials
        {
            PrivateKeyPath = ssh.KeyFile is { Length: > 0 } keyFile ? Relative(environment, keyFile) : null,
            PrivateKeyText = ssh.KeySecret is { Length: > 0 } keySecret ? secret(keySecret) : null,
            Password = ssh.PasswordSecret is { Length: > 0 } passwordSecret ? secret(passwordSecret) : null,
        };
        return new SshConnectionOptions
        {
            KnownHostsPath = Relative(environment, ssh.KnownHosts),
            Credentials = credentials,
            ConnectTimeout = ssh.ConnectTimeout,
            CommandTimeout = ssh.CommandTimeout,
            KeyExchange = ssh.KeyExchange,
            Mask = mask,
            Output = output,
        };
    }

    private static List<DeployTarget> Targets(EnvironmentDefinition environment, IReadOnlyList<string> hosts, int keepReleases)
    {
        var deploy = environment.Deploy;
        var targets = new List<DeployTarget>();
        var problems = new List<string>();
        foreach (var name in hosts)
        {
            if (!environment.Hosts.TryGetValue(name, out var settings))
            {
                problems.Add($"unknown host {name} (environment {environment.Id} has: {string.Join(", ", environment.Hosts.Keys)})");
                continue;
            }

            var hostVariable = RunExecution.HostVariable(new HostBinding(name, environment.GroupOf(name), settings), environment);
            string Render(string text) => Template(text, hostVariable);
            var health = deploy.Health switch
            {
                { Url: { Length: > 0 } url } h => (HealthCheck)new HttpHealthCheck(Render(url))
                {
                    ExpectedStatus = h.ExpectStatus,
                    ExpectBody = h.ExpectBody is { } body && !IsTemplate(body) ? body : null,
                    ExpectBodyFor = h.ExpectBody is { } template && IsTemplate(template) ? release => ReleaseTemplate(template, hostVariable, release) : null,
                    ExpectRelease = h.ExpectRelease,
                    Attempts = h.Retries,
                    Interval = h.Interval,
                },
                { Command: { Length: > 0 } command } h => new CommandHealthCheck(Render(command)) { ExpectRelease = h.ExpectRelease, Attempts = h.Retries, Interval = h.Interval },
                _ => null,
            };
            var layout = new DeployLayout
            {
                Root = settings.Root ?? deploy.Root,
                KeepReleases = keepReleases,
                RestartCommand = deploy.Restart is { } restart ? Render(restart) : "",
                BuildCommand = deploy.Build is { } build ? Render(build) : null,
                HealthCheck = health,
            };
            problems.AddRange(layout.Validate().Select(p => $"host {name}: {p}"));
            targets.Add(new DeployTarget(Host(environment, name, settings), layout));
        }

        return problems.Count > 0
            ? throw new DeployException($"environment {environment.Id} cannot be deployed over SSH:\n- " + string.Join("\n- ", problems))
            : targets;
    }

    internal static SshHost Host(EnvironmentDefinition environment, string name, HostSettings settings) =>
        new(name, settings.Address, settings.User ?? environment.Ssh.User, settings.Port ?? environment.Ssh.Port);

    /// <summary>Renders a template over <c>host</c> only (the environment's per-host commands); plain text is returned as is.</summary>
    internal static string Template(string text, object? host) =>
        IsTemplate(text) ? Render(text, new TemplateScope().Set("host", host)) : text;

    /// <summary>
    /// Renders health.expect_body for the release a host is checked on: over <c>host</c>,
    /// <c>release</c> (the tag or short commit) and <c>version</c> (the release without a leading v,
    /// as apps report it: 3.0.1 for v3.0.1).
    /// </summary>
    internal static string ReleaseTemplate(string text, object? host, string release) =>
        Render(text, new TemplateScope().Set("host", host).Set("release", release).Set("version", VersionOf(release)));

    private static string VersionOf(string release) =>
        release.Length > 1 && release[0] is 'v' or 'V' && char.IsAsciiDigit(release[1]) ? release[1..] : release;

    private static bool IsTemplate(string text) => text.Contains("{{", StringComparison.Ordinal);

    private static string Render(string text, TemplateScope scope) =>
        Convert.ToString(TemplateRenderer.Evaluate(new DocScalar(text, ScalarKind.String, SourceLocation.None), scope), System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static string Relative(EnvironmentDefinition environment, string path) =>
        Path.GetFullPath(path, Path.GetDirectoryName(Path.GetFullPath(environment.SourcePath is { Length: > 0 } source ? source : "environment.yaml"))!);

    /// <summary>origin as the hosts reach it: a URL as written, a local path relative to the environment file.</summary>
    private static string Origin(EnvironmentDefinition environment)
    {
        var url = environment.Repository.Url;
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new DeployException($"environment {environment.Id}: repository.url must be set to deploy with source clone");
        }

        return url.Contains("://", StringComparison.Ordinal) || ScpLike().IsMatch(url) ? url : Relative(environment, url);
    }

    /// <summary>Makes a tar.gz of the tag (or full commit) on this machine: a shallow bare clone (or fetch) of origin, then git archive.</summary>
    private static async Task<string> CreateArchiveAsync(EnvironmentDefinition environment, string release, CancellationToken cancellationToken)
    {
        var origin = Origin(environment);
        var work = Path.Combine(Path.GetTempPath(), "gantry-archive-" + Guid.NewGuid().ToString("N")[..12]);
        var file = work + ".tar.gz";
        try
        {
            if (FullCommit().IsMatch(release))
            {
                // A commit cannot be cloned by name: fetch it by SHA into an empty repository.
                await GitAsync(cancellationToken, "init", "--quiet", "--bare", work).ConfigureAwait(false);
                await GitAsync(cancellationToken, "--git-dir", work, "fetch", "--quiet", "--depth", "1", origin, release).ConfigureAwait(false);
            }
            else
            {
                await GitAsync(cancellationToken, "clone", "--quiet", "--bare", "--depth", "1", "--branch", release, origin, work).ConfigureAwait(false);
            }

            await GitAsync(cancellationToken, "--git-dir", work, "archive", "--format=tar.gz", "-o", file, release).ConfigureAwait(false);
            return file;
        }
        catch
        {
            TryDelete(file);
            throw;
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private static async Task GitAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("git", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new DeployException("could not start git to make the release archive");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new DeployException($"making the release archive failed: git {string.Join(' ', args)} exited with {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
        }
    }

    /// <summary>A secret's value read straight from its reference in the environment (no run, so no secret accessor).</summary>
    internal static string ReadSecretReference(EnvironmentDefinition environment, string name)
    {
        if (!environment.Secrets.TryGetValue(name, out var reference))
        {
            throw new DeployException($"environment {environment.Id}: secret {name} is not declared under secrets");
        }

        return reference switch
        {
            { Value: { } value } => value,
            { Env: { } variable } => Environment.GetEnvironmentVariable(variable)
                ?? throw new DeployException($"secret {name}: environment variable {variable} is not set"),
            { File: { } file } => File.ReadAllText(Relative(environment, file)),
            _ => throw new DeployException($"secret {name}: no env, file or value is given"),
        };
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex FullCommit();

    [GeneratedRegex("^[^/:]+@[^/:]+:")]
    private static partial Regex ScpLike();
}
