using Gantry.Engine.Stores;

namespace Gantry.Cli.Running;

/// <summary>
/// The store a CLI command shares with every other node of the workspace (<c>--db</c>, else <c>GANTRY_DB</c>,
/// else the workspace's SQLite file): runs, quarantined hosts and tokens. Opening it imports the safety files an
/// older Gantry kept in the data folder (see <see cref="LegacySafetyFiles"/>), saying so on stderr.
/// </summary>
internal static class WorkspaceStore
{
    /// <param name="db">The <c>--db</c> option, or null.</param>
    /// <param name="root">The workspace root (relative SQLite paths are under it).</param>
    /// <param name="dataDirectory">The data folder whose old safety files to import; default the workspace's <c>.gantry</c>.</param>
    public static Task<StoreSet> OpenAsync(
        string? db,
        string root,
        string? dataDirectory,
        CancellationToken cancellationToken,
        TimeProvider? time = null
    ) =>
        LegacySafetyFiles.OpenStoreAsync(
            db ?? Environment.GetEnvironmentVariable("GANTRY_DB"),
            root,
            dataDirectory ?? Path.Combine(root, ".gantry"),
            time ?? TimeProvider.System,
            line => Console.Error.WriteLine(line),
            cancellationToken);
}
