using System.Collections.Concurrent;

namespace Gantry.Providers.Ssh;

/// <summary>
/// One SSH connection per host (user, address and port), opened on first use and reused for the
/// whole run. Disposing the pool closes every connection.
/// </summary>
public sealed class SshConnectionPool : IDisposable
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private bool _disposed;

    /// <summary>Creates an empty pool.</summary>
    public SshConnectionPool(SshConnectionOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Settings every connection uses.</summary>
    public SshConnectionOptions Options { get; }

    /// <summary>Returns the host's open connection, connecting (or reconnecting after a drop) when needed.</summary>
    /// <exception cref="HostKeyException">The host key is unknown, changed or revoked.</exception>
    /// <exception cref="SshConnectException">The host is unreachable or refused the login.</exception>
    public async Task<SshHostConnection> GetAsync(SshHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slot = _slots.GetOrAdd($"{host.User}@{host.Address}:{host.Port}", static _ => new Slot());
        await slot.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (slot.Connection is { IsConnected: true } open)
            {
                return open;
            }

            slot.Connection?.Dispose();
            slot.Connection = null;
            slot.Connection = await SshHostConnection.OpenAsync(host, Options, _time, cancellationToken).ConfigureAwait(false);
            return slot.Connection;
        }
        finally
        {
            slot.Lock.Release();
        }
    }

    /// <summary>Closes every connection.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var slot in _slots.Values)
        {
            slot.Connection?.Dispose();
            slot.Connection = null;
        }

        _slots.Clear();
    }

    private sealed class Slot
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public SshHostConnection? Connection { get; set; }
    }
}
