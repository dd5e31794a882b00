namespace Gantry.Engine.Stores;

/// <summary>Quarantined hosts in process memory, beside <see cref="Runtime.InMemoryRunStore"/>: for tests and one-shot runs without a
/// store.</summary>
public sealed class InMemoryHostQuarantine : IHostQuarantine
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Environment, string Host), QuarantinedHost> _hosts = [];

    public Task<IReadOnlyList<QuarantinedHost>> ListAsync(string environment, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<QuarantinedHost>>(
                _hosts.Values.Where(h => h.Environment == environment).OrderBy(h => h.Host, StringComparer.Ordinal).ToList());
        }
    }

    public Task AddAsync(QuarantinedHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);

        lock (_gate)
        {
            _hosts[(host.Environment, host.Host)] = host;
        }

        return Task.CompletedTask;
    }

    public Task<bool> ReleaseAsync(string environment, string host, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_hosts.Remove((environment, host)));
        }
    }
}

/// <summary>Bearer tokens in process memory: for tests of the server without a durable store.</summary>
public sealed class InMemoryAccessTokens : IAccessTokens
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredToken> _tokens = new(StringComparer.Ordinal);

    public Task<bool> AddAsync(StoredToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);

        lock (_gate)
        {
            return Task.FromResult(_tokens.TryAdd(token.Name, token));
        }
    }

    public Task<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StoredToken>>(_tokens.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList());
        }
    }

    public Task<StoredToken?> FindAsync(string sha256, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_tokens.Values.FirstOrDefault(t => t.Sha256 == sha256));
        }
    }

    public Task<bool> RevokeAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_tokens.Remove(name));
        }
    }
}
