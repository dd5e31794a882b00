namespace Gantry.Engine.Runtime;

/// <summary>
/// Brings a durable store's schema up to date at start-up. Migrations are numbered, each applied
/// once in its own transaction and recorded in <c>schema_migrations</c>; several processes may
/// start at once.
/// </summary>
public interface IStoreMigrator
{
    /// <summary>The newest schema version this build knows.</summary>
    int LatestVersion { get; }

    /// <summary>The version the database is at now (0 when empty).</summary>
    Task<int> CurrentVersionAsync(CancellationToken cancellationToken);

    /// <summary>Applies every missing migration up to <paramref name="targetVersion"/> (default: the latest); returns the version reached.</summary>
    Task<int> MigrateAsync(int? targetVersion, CancellationToken cancellationToken);
}
