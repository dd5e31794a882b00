using System.Text.Json;
using Gantry.Providers.LoadBalancers;

namespace FileBalancer.Plugin;

/// <summary>
/// A load balancer driven through a file: a proxy (or its sidecar) watches <c>state_file</c> and
/// sends no new requests to a server marked drain or maint. Every change is written whole (temp
/// file, then rename) so the proxy never reads half a file, and appended to <c>state_file.log</c>
/// as an audit trail.
/// </summary>
internal sealed class FileBalancerDriver(string stateFile, IReadOnlyList<string> servers) : ILoadBalancerDriver
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public async Task<IReadOnlyList<ServerState>> ReadServersAsync(CancellationToken cancellationToken)
    {
        var states = await ReadAsync(cancellationToken).ConfigureAwait(false);

        // The file keeps no health: a server is as live as its state says.
        return servers.Select(s => new ServerState(s, states.GetValueOrDefault(s, AdminState.Ready), HealthState.NoCheck, 0, null)).ToList();
    }

    public async Task TakeOutAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        await WriteAsync(servers, AdminState.Maint, cancellationToken).ConfigureAwait(false);
        progress?.Report($"{string.Join(", ", servers)} marked maint in {stateFile}");
    }

    public async Task BringLiveAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        await WriteAsync(servers, AdminState.Ready, cancellationToken).ConfigureAwait(false);
        progress?.Report($"{string.Join(", ", servers)} marked ready in {stateFile}");
    }

    private async Task<Dictionary<string, AdminState>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(stateFile))
        {
            return [];
        }

        try
        {
            await using var stream = File.OpenRead(stateFile);
            var text = await JsonSerializer.DeserializeAsync<Dictionary<string, string>>(stream, cancellationToken: cancellationToken).ConfigureAwait(false) ?? [];
            return text.ToDictionary(e => e.Key, e => Enum.TryParse<AdminState>(e.Value, ignoreCase: true, out var state)
                ? state
                : throw new LoadBalancerException($"{stateFile}: server '{e.Key}' has state '{e.Value}'; expected ready, drain or maint"));
        }
        catch (JsonException ex)
        {
            throw new LoadBalancerException($"{stateFile} is not a JSON object of server name to state (line {ex.LineNumber + 1}): {ex.Message}");
        }
    }

    private async Task WriteAsync(IReadOnlyList<string> changed, AdminState state, CancellationToken cancellationToken)
    {
        var unknown = changed.Except(servers).ToList();
        if (unknown.Count > 0)
        {
            throw new LoadBalancerException($"{stateFile}: unknown server(s) {string.Join(", ", unknown)}; the environment's servers are {string.Join(", ", servers)}");
        }

        var states = await ReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var server in changed)
        {
            states[server] = state;
        }

        var ordered = servers.ToDictionary(s => s, s => states.GetValueOrDefault(s, AdminState.Ready).ToString().ToLowerInvariant());
        var temporary = stateFile + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(ordered, Json), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, stateFile, overwrite: true);
        await File.AppendAllTextAsync(stateFile + ".log", $"{state.ToString().ToLowerInvariant()} {string.Join(",", changed)}\n", cancellationToken).ConfigureAwait(false);
    }
}
