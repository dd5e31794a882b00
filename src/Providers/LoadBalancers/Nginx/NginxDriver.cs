using System.Text;
using System.Text.RegularExpressions;
using Gantry.Engine.Runtime;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// Drives open-source nginx, which has no runtime API: the upstream block lives in a file that
/// nginx includes. A change reads the file back, renders it with the wanted <c>down</c> flags, writes
/// it atomically, runs the test command and reloads nginx; when the test or the reload fails, the
/// previous file is restored and reloaded before the error is thrown.
/// </summary>
/// <remarks>
/// <para>The live state is always read from the file, never remembered, so a change made by hand or
/// by an earlier, interrupted run is seen. A change that would not alter any <c>down</c> flag writes
/// nothing and does not reload.</para>
/// <para>nginx OSS reports neither health nor in-flight requests. On reload it starts new workers
/// with the new configuration and lets the old workers finish the requests they are serving before
/// they exit. After taking servers out the driver therefore waits
/// <see cref="LoadBalancerTimings.SettleDelay"/>: this approximates draining, it does not observe it.
/// A request that takes longer than the settle delay may still be running on a server that is out.
/// <see cref="LoadBalancerTimings.DrainTimeout"/> and <see cref="LoadBalancerTimings.HealthTimeout"/>
/// do not apply.</para>
/// </remarks>
public sealed partial class NginxDriver : ILoadBalancerDriver
{
    private const int StandardErrorTailLines = 10;
    private const int StandardErrorTailChars = 2000;

    private readonly NginxOptions _options;
    private readonly Template _template;
    private readonly ICommandRunner _commands;
    private readonly IConfigFileStore _files;
    private readonly TimeProvider _time;
    private readonly IUpstreamProbe? _probe;
    private readonly Dictionary<string, string> _nameByAddress;
    private readonly SemaphoreSlim _changing = new(1, 1);

    /// <summary>Creates a driver; the options are validated here.</summary>
    /// <param name="options">The upstream, its servers and the commands.</param>
    /// <param name="commandRunner">Runs the test and reload commands. The default runs them on this machine.</param>
    /// <param name="fileStore">Reads and writes the upstream file. The default uses this machine's file system.</param>
    /// <param name="timeProvider">Clock for the settle wait and command timeouts. The default is <see cref="TimeProvider.System"/>.</param>
    /// <param name="probe">Asked for each server right before it is written live; a server it fails stays out. The default (null) asks
    /// nothing.</param>
    /// <exception cref="NginxException">The options are invalid.</exception>
    public NginxDriver(
        NginxOptions options,
        ICommandRunner? commandRunner = null,
        IConfigFileStore? fileStore = null,
        TimeProvider? timeProvider = null,
        IUpstreamProbe? probe = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _template = options.ParseTemplate();
        _commands = commandRunner ?? LocalCommandRunner.Instance;
        _files = fileStore ?? LocalConfigFileStore.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _probe = probe;
        _nameByAddress = options.Servers.ToDictionary(s => s.Value, s => s.Key, StringComparer.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A server marked <c>down</c> is <see cref="AdminState.Maint"/>, any other <see cref="AdminState.Ready"/>;
    /// health is always <see cref="HealthState.NoCheck"/> and sessions 0. A configured server missing
    /// from the block is out of rotation and reported as <see cref="AdminState.Maint"/>; an address in
    /// the block that no configured server has is reported under its address.
    /// </remarks>
    public async Task<IReadOnlyList<ServerState>> ReadServersAsync(CancellationToken cancellationToken)
    {
        var lines = await ReadFileAsync(cancellationToken).ConfigureAwait(false);
        var byAddress = lines
            .GroupBy(l => l.Address, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var states = new List<ServerState>();
        foreach (var (name, address) in _options.Servers)
        {
            states.Add(
                byAddress.TryGetValue(address, out var line)
                    ? new ServerState(name, line.Down ? AdminState.Maint : AdminState.Ready, HealthState.NoCheck, 0, line.Weight)
                    : new ServerState(
                        name,
                        AdminState.Maint,
                        HealthState.NoCheck,
                        0,
                        null,
                        $"{address} is not listed in upstream '{_options.UpstreamName}'"));
        }

        foreach (var line in lines.Where(l => !_nameByAddress.ContainsKey(l.Address)))
        {
            states.Add(
                new ServerState(
                    line.Address,
                    line.Down ? AdminState.Maint : AdminState.Ready,
                    HealthState.NoCheck,
                    0,
                    line.Weight,
                    "address is not among the configured servers"));
        }

        return states;
    }

    /// <inheritdoc />
    /// <remarks>Marks the servers <c>down</c>, reloads nginx, then waits <see cref="LoadBalancerTimings.SettleDelay"/> (see the class
    /// remarks).</remarks>
    public Task TakeOutAsync(
        IReadOnlyList<string> servers,
        LoadBalancerTimings options,
        IProgress<string>? progress,
        CancellationToken cancellationToken
    ) => ChangeAsync(servers, down: true, options, progress, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Removes the <c>down</c> flags and reloads nginx. nginx OSS has no health checks to wait for, so
    /// each server that is out is first asked through the probe (when there is one): a server that
    /// fails stays <c>down</c>, the others are brought live, and then a <see cref="LoadBalancerException"/>
    /// names the ones left out and why.
    /// </remarks>
    public Task BringLiveAsync(
        IReadOnlyList<string> servers,
        LoadBalancerTimings options,
        IProgress<string>? progress,
        CancellationToken cancellationToken
    ) => ChangeAsync(servers, down: false, options, progress, cancellationToken);

    private async Task ChangeAsync(
        IReadOnlyList<string> servers,
        bool down,
        LoadBalancerTimings timings,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(timings);
        var unknown = servers.Where(s => !_options.Servers.ContainsKey(s)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            throw new NginxException(
                $"Unknown server {Quoted(unknown)} for nginx upstream '{_options.UpstreamName}'. Valid names are: "
                + $"{string.Join(", ", _options.Servers.Keys)}.");
        }

        // Two changes through this driver must not interleave their read-render-write-reload steps.
        await _changing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ChangeLockedAsync(servers, down, timings, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _changing.Release();
        }
    }

    private async Task ChangeLockedAsync(
        IReadOnlyList<string> servers,
        bool down,
        LoadBalancerTimings timings,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var action = $"{(down ? "Taking out" : "Bringing live")} {Quoted(servers)} on nginx upstream '{_options.UpstreamName}'";
        var lines = await ReadFileAsync(cancellationToken).ConfigureAwait(false);
        var strangers = lines.Where(l => !_nameByAddress.ContainsKey(l.Address)).Select(l => l.Address).ToList();
        if (strangers.Count > 0)
        {
            throw new NginxException(
                $"{action} was refused: '{_options.UpstreamConfigPath}' lists {Quoted(strangers)}, which no configured server has, and rewriting "
                + "the file would drop it. Add it to Servers or remove it from the file.");
        }

        var currentDown = lines.ToDictionary(l => l.Address, l => l.Down, StringComparer.OrdinalIgnoreCase);
        var refused = down
            ? new Dictionary<string, string>()
            : await ProbeAsync(
                    servers.Where(s => currentDown.GetValueOrDefault(_options.Servers[s], true)).Distinct().ToList(),
                    progress,
                    cancellationToken)
                .ConfigureAwait(false);
        servers = servers.Where(s => !refused.ContainsKey(s)).ToList();
        if (servers.Count > 0)
        {
            await RewriteAsync(action, currentDown, servers, down, timings, progress, cancellationToken).ConfigureAwait(false);
        }

        if (refused.Count > 0)
        {
            throw new LoadBalancerException(
                $"{action}: {Quoted(refused.Keys)} failed the health check and {(refused.Count == 1 ? "stays" : "stay")} out of rotation: "
                + string.Join("; ", refused.Select(r => $"{r.Key}: {r.Value}")));
        }
    }

    /// <summary>Asks the probe about each server about to go live, in parallel; returns the ones that failed, with why.</summary>
    private async Task<IReadOnlyDictionary<string, string>> ProbeAsync(
        IReadOnlyList<string> servers,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        if (_probe is null || servers.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        progress?.Report($"nginx keeps no health state: checking {Quoted(servers)} before bringing {(servers.Count == 1 ? "it" : "them")} live.");
        var answers = await Task.WhenAll(
                servers.Select(async s => (Server: s, Problem: await _probe.ProbeAsync(s, cancellationToken).ConfigureAwait(false))))
            .ConfigureAwait(false);
        return answers.Where(a => a.Problem is not null).ToDictionary(a => a.Server, a => a.Problem!, StringComparer.Ordinal);
    }

    private async Task RewriteAsync(
        string action,
        Dictionary<string, bool> currentDown,
        IReadOnlyList<string> servers,
        bool down,
        LoadBalancerTimings timings,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var wanted = _options.Servers
            .Select(s => (Name: s.Key, Address: s.Value, Down: servers.Contains(s.Key) ? down : currentDown.GetValueOrDefault(s.Value, true)))
            .ToList();
        if (wanted.All(s => currentDown.TryGetValue(s.Address, out var d) && d == s.Down))
        {
            progress?.Report(
                $"nginx upstream '{_options.UpstreamName}' already has {Quoted(servers)} {(down ? "out of rotation" : "live")}; nothing to change.");
            return;
        }

        var content = Render(wanted);
        progress?.Report($"{action}: writing '{_options.UpstreamConfigPath}'.");
        LeaseGuard.ThrowIfLost();
        await _files.WriteAsync(_options.UpstreamConfigPath, content, cancellationToken).ConfigureAwait(false);
        try
        {
            var failure = await RunAsync(_options.EffectiveTestCommand, cancellationToken).ConfigureAwait(false)
                ?? await RunAsync(_options.EffectiveReloadCommand, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                var restored = await RestoreAsync().ConfigureAwait(false);
                throw new NginxException($"{action} failed. {failure.Summary}. {restored}{failure.StandardErrorTail}");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled between writing and reloading: do not leave a file nginx may or may not have loaded.
            await RestoreAsync().ConfigureAwait(false);
            throw;
        }

        progress?.Report($"{action}: nginx reloaded.");
        var settle = _options.SettleDelay ?? timings.SettleDelay;
        if (down && settle > TimeSpan.Zero)
        {
            progress?.Report($"{action}: waiting {settle.TotalSeconds:0.###} s for in-flight requests to finish on the old nginx workers.");
            await Task.Delay(settle, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<UpstreamServerLine>> ReadFileAsync(CancellationToken cancellationToken)
    {
        var content = await _files.ReadAsync(_options.UpstreamConfigPath, cancellationToken).ConfigureAwait(false)
            ?? throw new NginxException(
                $"The nginx upstream file '{_options.UpstreamConfigPath}' does not exist. Write the 'upstream {_options.UpstreamName}' block once "
                + "by hand and include it from the main configuration.");
        return NginxUpstreamFile.Parse(content, _options.UpstreamName, _options.UpstreamConfigPath);
    }

    private string Render(IEnumerable<(string Name, string Address, bool Down)> servers)
    {
        var list = new ScriptArray();
        foreach (var (name, address, down) in servers)
        {
            list.Add(new ScriptObject { ["name"] = name, ["address"] = address, ["down"] = down });
        }

        var model = new ScriptObject { ["name"] = _options.UpstreamName, ["servers"] = list };
        var context = new TemplateContext { StrictVariables = true, EnableRelaxedMemberAccess = false };
        context.PushGlobal(model);
        try
        {
            return _template.Render(context);
        }
        catch (ScriptRuntimeException ex)
        {
            throw new NginxException($"The nginx upstream template failed to render: {ex.Message}", ex);
        }
    }

    /// <summary>Runs one command under <see cref="NginxOptions.CommandTimeout"/>; returns null on success.</summary>
    private async Task<CommandFailure?> RunAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        var command = CommandLine.Format(argv);
        using var timeout = new CancellationTokenSource(_options.CommandTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var result = await _commands.RunAsync(argv, linked.Token).ConfigureAwait(false);
            return result.Succeeded
                ? null
                : new CommandFailure($"Command '{command}' exited with code {result.ExitCode}", Tail(result.StandardError));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new CommandFailure($"Command '{command}' did not finish within {_options.CommandTimeout.TotalSeconds:0.###} s", string.Empty);
        }
        catch (NginxException ex)
        {
            return new CommandFailure(ex.Message.TrimEnd('.'), string.Empty);
        }
    }

    /// <summary>Puts the previous file back and reloads it, under an unlinked token; says how that went.</summary>
    private async Task<string> RestoreAsync()
    {
        try
        {
            await _files.RestorePreviousAsync(_options.UpstreamConfigPath, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NginxException or IOException or UnauthorizedAccessException)
        {
            return $"Restoring the previous content of '{_options.UpstreamConfigPath}' failed too: {ex.Message}";
        }

        var reload = await RunAsync(_options.EffectiveReloadCommand, CancellationToken.None).ConfigureAwait(false);
        return reload is null
            ? $"The previous content of '{_options.UpstreamConfigPath}' was restored and nginx reloaded with it."
            : $"The previous content of '{_options.UpstreamConfigPath}' was restored, but reloading it failed too. "
                + $"{reload.Summary}.{reload.StandardErrorTail}";
    }

    private static string Tail(string standardError)
    {
        var lines = standardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => NginxLogPrefix().Replace(line, "nginx: [$1] "))
            .ToArray();
        if (lines.Length == 0)
        {
            return string.Empty;
        }

        var tail = string.Join('\n', lines.TakeLast(StandardErrorTailLines));
        if (tail.Length > StandardErrorTailChars)
        {
            tail = "..." + tail[^StandardErrorTailChars..];
        }

        return new StringBuilder().Append('\n').Append("Standard error ends with:\n").Append(tail).ToString();
    }

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    /// <summary>
    /// nginx prefixes lines it logs with a time stamp and its pid; dropping them (as nginx itself does
    /// before it has read its error_log setting) keeps error messages short and repeatable.
    /// </summary>
    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \[(\w+)\] \d+#\d+: ")]
    private static partial Regex NginxLogPrefix();

    private sealed record CommandFailure(string Summary, string StandardErrorTail);
}
