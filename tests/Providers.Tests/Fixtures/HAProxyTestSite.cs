using Gantry.Testing.Fleet;

namespace Gantry.Providers.Tests.Fixtures;

/// <summary>
/// The fleet's real HAProxy (<see cref="FleetHAProxy"/>) in front of four in-process web nodes,
/// web1..web4 on 127.0.0.1, that the load-balancer tests stop and start: checks every 100 ms, a
/// server is DOWN after one failed check, and a failed connect is retried on another server.
/// </summary>
public sealed class HAProxyTestSite : IAsyncLifetime
{
    private static readonly FleetHAProxyOptions Options = new() { CheckInterval = TimeSpan.FromMilliseconds(100), Fall = 1, RetryElsewhere = true };
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-haproxy-").FullName;
    private FleetHAProxy? _haproxy;

    public IReadOnlyList<HAProxyTestBackend> Backends { get; } =
        [.. Enumerable.Range(1, 4).Select(i => new HAProxyTestBackend($"web{i}", FleetCommand.FreePort("127.0.0.1")))];

    public FleetHAProxy Proxy => _haproxy ?? throw new InvalidOperationException("HAProxy is not started yet");

    public HAProxyTestBackend Backend(string name) => Backends.Single(b => b.Name == name);

    public async Task InitializeAsync()
    {
        foreach (var backend in Backends)
        {
            backend.Start();
        }

        _haproxy = await FleetHAProxy.StartAsync(_folder, [.. Backends.Select(b => new FleetHAProxyServer(b.Name, "127.0.0.1", b.Port))], Options, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        foreach (var backend in Backends)
        {
            await backend.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Puts every server back to ready with weight 1, restarts stopped backends, waits until all are up.</summary>
    public async Task ResetAsync()
    {
        foreach (var backend in Backends)
        {
            backend.Start();
            await Proxy.CommandAsync($"set server {FleetHAProxy.Backend}/{backend.Name} state ready");
            await Proxy.CommandAsync($"set weight {FleetHAProxy.Backend}/{backend.Name} 1");
        }

        await Proxy.WaitUntilAllUpAsync(Backends.Count, TimeSpan.FromSeconds(10));
    }
}

[CollectionDefinition(Name)]
public sealed class HAProxyCollection : ICollectionFixture<HAProxyTestSite>
{
    public const string Name = "HAProxy";
}
