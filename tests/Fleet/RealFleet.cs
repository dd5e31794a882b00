using System.Globalization;

namespace Gantry.Testing.Fleet;

/// <summary>
/// A real fleet on loopback for end-to-end tests and benchmarks: HAProxy (runtime API on a unix
/// socket) in front of <see cref="RealFleetOptions.Groups"/> × <see cref="RealFleetOptions.HostsPerGroup"/>
/// hosts; one OpenSSH server listening on every host's 127.0.0.x address (host key pinned in a
/// known_hosts file); a bare git origin with the scenario's history; a workspace with the
/// repository's workflows and an environment document for all of it.
/// </summary>
/// <remarks>
/// Each host runs a small node app (tests/Fleet/app/app.js) that reports the version configured
/// in its current release, <c>opensky.version</c> of <c>current/opensky/config/version.ini</c>,
/// the file the hotfix and the daily release bump: like a real app, it reports its own
/// configuration, so a host serving the v3.0.1 release answers 3.0.1 and no build step is needed.
/// It reads the file once at start, so only the deploy's restart command changes what it serves;
/// a restart keeps it down for <see cref="RealFleetOptions.RestartDownTime"/>. Every host starts on
/// <see cref="RealFleetOptions.InitialTag"/> in the layout Gantry deploys (releases/TAG, current).
/// Everything lives in one temp folder and every process is stopped by its PID on dispose.
/// A project uses it by referencing tests/Fleet/Fleet.csproj, which also copies the app next to its binaries:
/// <code>
/// &lt;ProjectReference Include="../../tests/Fleet/Fleet.csproj" /&gt;
/// </code>
/// </remarks>
public sealed class RealFleet : IAsyncDisposable
{
    private readonly RealFleetOptions _options;
    private readonly List<FleetHost> _hosts;
    private FleetSshd? _sshd;
    private FleetHAProxy? _haproxy;
    private FleetOrigin? _origin;

    private RealFleet(RealFleetOptions options, string root)
    {
        _options = options;
        Root = root;
        _hosts = [];
        for (var group = 1; group <= options.Groups; group++)
        {
            for (var i = 1; i <= options.HostsPerGroup; i++)
            {
                var number = _hosts.Count + 1;
                var address = $"127.0.0.{number + 1}";
                _hosts.Add(new FleetHost($"web{number}", $"group{group}", address, FleetCommand.FreePort(address), Path.Combine(root, "hosts", $"web{number}")));
            }
        }
    }

    /// <summary>The environment's id.</summary>
    public string EnvironmentId => "e2e";

    /// <summary>The fixture's temp folder.</summary>
    public string Root { get; }

    /// <summary>A complete environment document for this fleet (haproxy, ssh, deploy, git origin).</summary>
    public string EnvironmentYaml { get; private set; } = "";

    /// <summary>A workspace: the repository's workflows plus workflows/environments/e2e.yaml, ready for <c>gantry serve</c> or <c>gantry run</c>.</summary>
    public string WorkspaceDirectory => Path.Combine(Root, "workspace");

    /// <summary>The environment file inside <see cref="WorkspaceDirectory"/>.</summary>
    public string EnvironmentPath => Path.Combine(WorkspaceDirectory, "workflows", "environments", EnvironmentId + ".yaml");

    /// <summary>The port sshd listens on, on every host's address.</summary>
    public int SshPort => _sshd!.Port;

    /// <summary>HAProxy's frontend.</summary>
    public Uri FrontendUri => new($"http://127.0.0.1:{_haproxy!.FrontendPort}/");

    /// <summary>HAProxy's admin runtime API socket.</summary>
    public string HAProxySocketPath => _haproxy!.AdminSocketPath;

    /// <summary>HAProxy's backend holding one server per host.</summary>
    public string HAProxyBackend => FleetHAProxy.Backend;

    /// <summary>The bare origin repository.</summary>
    public string OriginPath => _origin!.BarePath;

    /// <summary>The origin as a file URL.</summary>
    public string OriginUrl => "file://" + OriginPath;

    /// <summary>Every host, group by group.</summary>
    public IReadOnlyList<FleetHost> Hosts => _hosts;

    /// <summary>The hosts of one group.</summary>
    public IReadOnlyList<FleetHost> HostsOf(string group) => _hosts.Where(h => h.Group == group).ToList();

    /// <summary>Starts the fleet; every host serves the initial tag and every HAProxy server is UP when it returns.</summary>
    public static async Task<RealFleet> StartAsync(RealFleetOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = Path.Combine(Path.GetTempPath(), "gantry-fleet-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var fleet = new RealFleet(options, root);
        try
        {
            await fleet.StartAsync(ct);
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>What the host's app answers on GET / (not through HAProxy), trimmed; waits up to 5 s for an app that is restarting.</summary>
    public async Task<string> ServedVersionAsync(FleetHost host, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await Eventually.ValueAsync(
            async () =>
            {
                try
                {
                    return (await client.GetStringAsync(host.Url, ct)).Trim();
                }
                catch (HttpRequestException)
                {
                    return null; // restarting: ask again
                }
            },
            $"{host.Name}'s app answers on {host.Url}",
            TimeSpan.FromSeconds(5),
            every: TimeSpan.FromMilliseconds(100));
    }

    /// <summary>The release the host's current link points to, read from its file system.</summary>
    public string? CurrentReleaseOf(FleetHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new FileInfo(Path.Combine(host.DeployRoot, "current")).LinkTarget is { } target ? Path.GetFileName(target) : null;
    }

    /// <summary>HAProxy's status column (UP, MAINT, DRAIN, DOWN, …) of every server, by server name.</summary>
    public Task<IReadOnlyDictionary<string, string>> HAProxyStatusesAsync(CancellationToken ct = default) => _haproxy!.StatusesAsync(ct);

    /// <summary>Sends one command to HAProxy's runtime API and returns its raw reply.</summary>
    public Task<string> HAProxyCommandAsync(string command, CancellationToken ct = default) => _haproxy!.CommandAsync(command, ct);

    /// <summary>Starts a bounded request loop against <see cref="FrontendUri"/>.</summary>
    public LoadLoop StartLoad() => new(FrontendUri, _options.LoadInterval, _options.LoadMaxRequests, _options.LoadMaxDuration);

    /// <summary>Starts the issue's load against <see cref="FrontendUri"/>: <see cref="RealFleetOptions.SteadyLoadRate"/> requests a second, overlapping, some slow.</summary>
    public SteadyLoad StartSteadyLoad() => new(FrontendUri, _options.SteadyLoadRate, _options.SlowRequestEvery, _options.LoadMaxDuration);

    /// <summary>The host's restart command as the environment renders it.</summary>
    public string RestartCommand(FleetHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return RestartTemplate.Replace("{{ host.root }}", host.DeployRoot, StringComparison.Ordinal)
            .Replace("{{ host.address }}", host.Address, StringComparison.Ordinal)
            .Replace("{{ host.vars.app_port }}", host.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>From now on, starting <paramref name="release"/> on <paramref name="host"/> fails (the restart command exits 1); other releases start.</summary>
    public void FailRestart(FleetHost host, string release)
    {
        ArgumentNullException.ThrowIfNull(host);
        File.AppendAllText(Path.Combine(host.DeployRoot, "fail-restart"), release + "\n");
    }

    /// <summary>
    /// A developer branches fix-the-bug off <paramref name="branch"/> on origin and pushes it; a
    /// teammate merges it into <paramref name="branch"/> (a merge commit, as GitHub does) and pushes.
    /// Returns the merge commit.
    /// </summary>
    public Task<string> MergeFixIntoAsync(string branch, CancellationToken ct = default) => _origin!.MergeFixAsync(branch, ct);

    /// <summary>
    /// Publishes a release without git flow, as another team's process would: "Release X" on
    /// production with opensky.version = X, tagged vX, pushed. The new tag is the latest stable one
    /// when X is the highest version.
    /// </summary>
    public Task PublishReleaseAsync(string version, CancellationToken ct = default) => _origin!.PublishReleaseAsync(version, ct);

    /// <summary>Tags v<paramref name="version"/> on production whose version.ini still says <paramref name="configuredVersion"/>: a tag whose bump was forgotten.</summary>
    public Task PublishUnbumpedReleaseAsync(string version, string configuredVersion, CancellationToken ct = default) =>
        _origin!.PublishReleaseAsync(version, ct, configuredVersion);

    /// <summary>Runs git in the bare origin (e.g. <c>tag --list</c>) and returns its output, trimmed.</summary>
    public async Task<string> OriginGitAsync(params string[] arguments) =>
        (await _origin!.GitAsync(OriginPath, CancellationToken.None, arguments)).Trim();

    /// <summary>
    /// What the fleet looks like now, for failure messages: each host's current release, last
    /// revisions.log and app.log lines, the processes running under the fixture's folder, the end of
    /// sshd's and HAProxy's logs.
    /// </summary>
    public async Task<string> DescribeAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var host in _hosts)
        {
            text.AppendLine($"{host.Name} ({host.Group}) current={CurrentReleaseOf(host)}");
            foreach (var file in new[] { "revisions.log", "app.log" })
            {
                var path = Path.Combine(host.DeployRoot, file);
                if (File.Exists(path))
                {
                    text.AppendLine($"  {file}: " + string.Join("\n  " + new string(' ', file.Length + 2), File.ReadAllLines(path).TakeLast(5)));
                }
            }
        }

        try
        {
            var ps = await FleetCommand.RunAsync("ps", ["-eo", "pid,ppid,etime,args"]);
            text.AppendLine("processes:").AppendLine(string.Join('\n', ps.Split('\n').Where(l => l.Contains(Root, StringComparison.Ordinal) || l.Contains("notty", StringComparison.Ordinal))));
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        text.AppendLine("sshd: " + string.Join('\n', (_sshd?.Log ?? "").Split('\n').TakeLast(30)));
        text.AppendLine("haproxy: " + string.Join('\n', (_haproxy?.Log ?? "").Split('\n').TakeLast(30)));
        return text.ToString();
    }

    /// <summary>Stops every app, HAProxy and sshd by PID and deletes the temp folder.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            FleetCommand.KillByPidFile(Path.Combine(host.DeployRoot, "app.pid"));
        }

        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        if (_sshd is not null)
        {
            await _sshd.DisposeAsync();
        }

        // A deploy cut off by a failed test may have restarted an app meanwhile (its SSH session
        // outlives sshd): stop whatever the pid files name now.
        foreach (var host in _hosts)
        {
            FleetCommand.KillByPidFile(Path.Combine(host.DeployRoot, "app.pid"));
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a temp folder left behind must not fail a test.
        }
    }

    private string BinPath => Path.Combine(Root, "bin");

    private string RestartTemplate =>
        $"sh {BinPath}/restart-app.sh {{{{ host.root }}}} {{{{ host.address }}}} {{{{ host.vars.app_port }}}} {(int)_options.RestartDownTime.TotalMilliseconds}";

    /// <summary>The first start: no down time to wait for.</summary>
    private string[] FirstStart(FleetHost host) =>
        [Path.Combine(BinPath, "restart-app.sh"), host.DeployRoot, host.Address, host.Port.ToString(CultureInfo.InvariantCulture), "0"];

    private async Task StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(BinPath);
        foreach (var file in new[] { "app.js", "restart-app.sh" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Fleet", "app", file), Path.Combine(BinPath, file));
        }

        _origin = await FleetOrigin.CreateAsync(Path.Combine(Root, "git"), _options.OriginHistory, ct);
        await Task.WhenAll(_hosts.Select(h => InstallInitialReleaseAsync(h, ct)));
        _sshd = await FleetSshd.StartAsync(Path.Combine(Root, "ssh"), _hosts.Select(h => h.Address).ToList(), ct);
        _haproxy = await FleetHAProxy.StartAsync(Path.Combine(Root, "haproxy"), _hosts, _options.CheckInterval, ct);
        EnvironmentYaml = BuildEnvironmentYaml();
        CreateWorkspace();
    }

    /// <summary>The initial release as a Gantry deploy leaves it: releases/TAG (complete), current, then the app started.</summary>
    private async Task InstallInitialReleaseAsync(FleetHost host, CancellationToken ct)
    {
        var tag = _options.InitialTag;
        var release = Path.Combine(host.DeployRoot, "releases", tag);
        Directory.CreateDirectory(Path.GetDirectoryName(release)!);
        await _origin!.GitAsync(Root, ct, "-c", "advice.detachedHead=false", "clone", "-q", "--depth", "1", "--branch", tag, OriginUrl, release);
        await File.WriteAllTextAsync(Path.Combine(release, ".gantry-complete"), string.Empty, ct);
        File.CreateSymbolicLink(Path.Combine(host.DeployRoot, "current"), Path.Combine("releases", tag));
        await FleetCommand.RunAsync("sh", FirstStart(host), cancellationToken: ct);
        await FleetCommand.WaitForPortAsync(host.Address, host.Port, () => null, TimeSpan.FromSeconds(20), ct);
    }

    /// <summary>The test bot whose approving review a release's pull request needs (repository.review.reviewers).</summary>
    public const string ReviewBot = "pr-nightmare";

    /// <summary>The status context that must pass on the pull request's head (repository.review.checks).</summary>
    public const string RequiredCheck = "ci/test-bot";

    private string BuildEnvironmentYaml()
    {
        const string Health = "http://{{ host.address }}:{{ host.vars.app_port }}/health";
        var groups = string.Join("\n", _hosts.GroupBy(h => h.Group).Select(g => $"  {g.Key}: {{ hosts: [{string.Join(", ", g.Select(h => h.Name))}] }}"));
        var hosts = string.Join("\n", _hosts.Select(h => $"  {h.Name}: {{ address: {h.Address}, root: \"{h.DeployRoot}\", lb_server: {h.Name}, vars: {{ app_port: {h.Port} }} }}"));
        return $$"""
            id: {{EnvironmentId}}
            name: End-to-end fleet (HAProxy, OpenSSH and node apps on loopback)
            repository:
              url: "{{OriginUrl}}"
              production_branch: production
              develop_branch: develop
              tag_prefix: v
              review: { reviewers: [{{ReviewBot}}], checks: [{{RequiredCheck}}] }
            load_balancer:
              provider: haproxy
              address: "unix://{{_haproxy!.AdminSocketPath}}"
              backend: {{FleetHAProxy.Backend}}
              min_live_groups: 1
              drain_timeout: {{Duration(_options.DrainTimeout)}}
              health_timeout: {{Duration(_options.HealthTimeout)}}
            groups:
            {{groups}}
            hosts:
            {{hosts}}
            deploy:
              source: clone
              keep_releases: 5
              restart: "{{RestartTemplate}}"
              health: { url: "{{Health}}", expect_status: 200, expect_release: true, retries: 200, interval: 50ms }
            ssh:
              user: {{Environment.UserName}}
              port: {{_sshd!.Port}}
              known_hosts: "{{_sshd.KnownHostsPath}}"
              key_file: "{{_sshd.ClientKeyPath}}"
              connect_timeout: 30s
              command_timeout: 60s

            """;
    }

    private void CreateWorkspace()
    {
        var source = _options.WorkflowsDirectory ?? Path.Combine(FleetCommand.RepositoryRoot(), "workflows");
        var workflows = Path.Combine(WorkspaceDirectory, "workflows");
        Directory.CreateDirectory(Path.Combine(workflows, "environments"));
        foreach (var file in Directory.EnumerateFiles(source, "*.yaml"))
        {
            File.Copy(file, Path.Combine(workflows, Path.GetFileName(file)));
        }

        File.WriteAllText(EnvironmentPath, EnvironmentYaml);
    }

    private static string Duration(TimeSpan value) =>
        value.TotalMilliseconds % 1000 == 0
            ? $"{(int)value.TotalSeconds}s"
            : $"{(int)value.TotalMilliseconds}ms";
}
