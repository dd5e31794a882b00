using Gantry.Engine.Runtime;

namespace Gantry.Engine.Stores;

/// <summary>Where a store lives: the kind of database and how to reach it.</summary>
public enum StoreKind { Sqlite, Postgres }

/// <summary>
/// The stores of one database, sharing its connections: runs (with leases and retention),
/// definitions, webhook deliveries, quarantined hosts, tokens, and the migrator to run at start-up. Dispose it at shutdown.
/// </summary>
public sealed class StoreSet : IAsyncDisposable
{
    private readonly IAsyncDisposable? _owned;

    /// <summary>The stores a store package (Gantry.Stores.Sqlite, Gantry.Stores.Postgres) opened on one database; <paramref name="owned"/> is
    /// disposed with the set.</summary>
    public StoreSet(
        StoreKind kind,
        string location,
        IRunStore runs,
        IDefinitionStore definitions,
        IStoreMigrator migrator,
        IWebhookDeliveries deliveries,
        SafetyState safety,
        IAsyncDisposable? owned)
    {
        ArgumentNullException.ThrowIfNull(safety);

        Deliveries = deliveries;
        Quarantine = safety.Quarantine;
        Tokens = safety.Tokens;
        Kind = kind;
        Location = location;
        Runs = runs;
        Definitions = definitions;
        Migrator = migrator;
        _owned = owned;
    }

    public StoreKind Kind { get; }

    /// <summary>The SQLite file path, or the PostgreSQL host and database (never the password).</summary>
    public string Location { get; }

    public IRunStore Runs { get; }

    /// <summary>The same store as <see cref="Runs"/>, seen through its lease contract.</summary>
    public IRunLeaseStore Leases => (IRunLeaseStore)Runs;

    /// <summary>The same store as <see cref="Runs"/>, seen through its retention contract.</summary>
    public IRunRetention Retention => (IRunRetention)Runs;

    public IDefinitionStore Definitions { get; }

    /// <summary>Webhook deliveries seen by any node on this database (replay protection).</summary>
    public IWebhookDeliveries Deliveries { get; }

    /// <summary>Hosts kept out of rotation after a failed rollback, as every node on this database sees them.</summary>
    public IHostQuarantine Quarantine { get; }

    /// <summary>The API's bearer tokens (hashes), as every server node on this database checks them.</summary>
    public IAccessTokens Tokens { get; }

    public IStoreMigrator Migrator { get; }

    public ValueTask DisposeAsync() => _owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>The safety state of one database: quarantined hosts and tokens.</summary>
public sealed record SafetyState(IHostQuarantine Quarantine, IAccessTokens Tokens);
