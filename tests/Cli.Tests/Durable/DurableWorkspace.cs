using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Durable;

/// <summary>A temporary workspace with a durable store (a SQLite file or a PostgreSQL schema) that tests read journals from.</summary>
internal sealed class DurableWorkspace : IAsyncDisposable
{
    // Short, so another node takes over a killed one quickly; not shorter, because a live node that
    // stalls longer than its lease (a busy CI machine runs every test project at once) loses its run
    // to another node. Fencing keeps that safe (the stale node stops, nothing is completed twice), but
    // the takeover adds a run.resumed that the kill matrix counts, and 1 s saved no time here.
    public const string Lease = "3s";

    /// <summary>The temp folder this workspace made and deletes; null for a fixture's folder (<see cref="OpenAsync"/>).</summary>
    private readonly TempWorkspace? _files;
    private StoreSet? _stores;

    private DurableWorkspace(string db, string? root)
    {
        Db = db;
        _files = root is null ? new TempWorkspace() : null;
        Root = root ?? _files!.Root;
    }

    public string Root { get; }

    /// <summary>The <c>--db</c> value every process of the test uses.</summary>
    public string Db { get; }

    public IRunStore Runs => _stores!.Runs;

    public IDefinitionStore Definitions => _stores!.Definitions;

    public static Task<DurableWorkspace> CreateAsync(string? db = null) => OpenAsync(new DurableWorkspace(db ?? DefaultDb, root: null));

    /// <summary>A durable store in a workspace a fixture made (the real fleet's); the fixture deletes the folder.</summary>
    public static Task<DurableWorkspace> OpenAsync(string root, string? db = null) => OpenAsync(new DurableWorkspace(db ?? DefaultDb, root));

    private const string DefaultDb = "sqlite:.gantry/durable.db";

    private static async Task<DurableWorkspace> OpenAsync(DurableWorkspace workspace)
    {
        Directory.CreateDirectory(Path.Combine(workspace.Root, "workflows"));
        workspace._stores = await RunStoreFactory.OpenAsync(workspace.Db, workspace.Root, TimeProvider.System, CancellationToken.None);
        return workspace;
    }

    /// <summary>Opens the store again (after its server dropped every connection the pool held).</summary>
    public async Task ReopenAsync()
    {
        await _stores!.DisposeAsync();
        _stores = await RunStoreFactory.OpenAsync(Db, Root, TimeProvider.System, CancellationToken.None);
    }

    public void Write(string relative, string text) => Owned.Write(relative, text);

    public void CopyFromRepository(string relative) => Owned.CopyFromRepository(relative);

    public GantryProcess Start(params string[] args) => GantryProcess.Start(Root, Lease, [.. args, "--db", Db]);

    /// <summary>Like <see cref="Start(string[])"/>, with these environment variables set for the process.</summary>
    public GantryProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        GantryProcess.Start(Root, Lease, environment, [.. args, "--db", Db]);

    /// <summary>
    /// Freezes <paramref name="process"/> (SIGSTOP) at a moment it holds no write transaction on the store. A SQLite
    /// writer frozen inside one blocks every other writer of the file until it goes on (no process can break a lock
    /// held by a live one), which is SQLite's nature and not what a lease test is about. So the test takes the write
    /// lock itself (waiting for a write in flight to commit), freezes the process while it cannot be writing, and lets go.
    /// </summary>
    public async Task PauseOutsideStoreWriteAsync(GantryProcess process)
    {
        if (!Db.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            await process.PauseAsync();
            return;
        }

        var database = new SqliteDatabase(Path.Combine(Root, Db["sqlite:".Length..]));
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var writeLock = connection.BeginTransaction(deferred: false);
        await process.PauseAsync();
        await writeLock.RollbackAsync();
    }

    public Task<(int ExitCode, string Output)> RunAsync(params string[] args) => GantryProcess.RunAsync(Root, Lease, [.. args, "--db", Db]);

    public Task<IReadOnlyList<JournalEvent>> JournalAsync(string runId) => Runs.ReadJournalAsync(runId, 0, CancellationToken.None);

    /// <summary>Polls until <paramref name="done"/> holds, or fails after <paramref name="timeout"/>.</summary>
    public static Task WaitForAsync(Func<Task<bool>> done, TimeSpan timeout, string what) => WaitForAsync(done, timeout, () => what);

    /// <summary>Polls until <paramref name="done"/> holds, or fails after <paramref name="timeout"/> saying <paramref name="what"/> as it is then (e.g. the nodes' output so far).</summary>
    public static Task WaitForAsync(Func<Task<bool>> done, TimeSpan timeout, Func<string> what) =>
        Eventually.TrueAsync(done, () => Task.FromResult(what()), timeout, every: TimeSpan.FromMilliseconds(20));

    /// <summary>The only run in the store (the tests start one at a time).</summary>
    public async Task<RunRecord?> SingleRunAsync() =>
        (await Runs.ListRunsAsync(new RunQuery { Limit = 2 }, CancellationToken.None)).SingleOrDefault();

    public async ValueTask DisposeAsync()
    {
        if (_stores is not null)
        {
            await _stores.DisposeAsync();
        }

        _files?.Dispose();
    }

    private TempWorkspace Owned => _files ?? throw new InvalidOperationException($"{Root} belongs to a fixture; write its files through the fixture");
}
