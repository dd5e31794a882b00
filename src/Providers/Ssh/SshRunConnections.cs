using System.Collections.Concurrent;
using Gantry.Engine.Activities;
using Gantry.Engine.Runtime;

namespace Gantry.Providers.Ssh;

/// <summary>
/// One SSH connection per host for a whole run: every deploy and rollback step of the run borrows
/// the run's pool, so a host touched by several steps is connected to once. A pool closes when its
/// run finishes, or when no step has borrowed it for <see cref="IdleTimeout"/> (a run waiting for
/// an approval holds no connection for days; a node that lost the run stops borrowing). Each
/// command's output goes to the log of the step that borrowed the pool, even when steps of one run
/// deploy in parallel.
/// </summary>
internal sealed class SshRunConnections : IJournalObserver, IDisposable
{
    /// <summary>How long an unborrowed pool stays open.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(2);

    private static readonly AsyncLocal<IStepLog?> StepLog = new();

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;

    public SshRunConnections(TimeProvider time)
    {
        _time = time;
        _sweeper = time.CreateTimer(_ => CloseIdle(), null, IdleTimeout, IdleTimeout);
    }

    /// <summary>Pools open now (for tests).</summary>
    internal int OpenPools => _entries.Count;

    /// <summary>
    /// Borrows the run's pool for one step (created with <paramref name="options"/> on first use);
    /// until the returned handle is disposed, output of commands started from this async flow goes to
    /// <paramref name="log"/>.
    /// </summary>
    public Borrowed Borrow(string runId, string environmentId, IStepLog log, Func<Action<SshOutputLine>, SshConnectionOptions> options)
    {
        var key = runId + "\n" + environmentId;
        while (true)
        {
            var entry = _entries.GetOrAdd(key, _ => new Entry(runId, new SshConnectionPool(options(RouteToStep), _time)));
            lock (entry)
            {
                if (entry.Closed)
                {
                    continue;
                }

                entry.Borrowers++;
            }

            var outer = StepLog.Value;
            StepLog.Value = log;
            return new Borrowed(entry.Pool, () =>
            {
                StepLog.Value = outer;
                lock (entry)
                {
                    entry.Borrowers--;
                    entry.LastReturned = _time.GetTimestamp();
                    if (entry.RunFinished)
                    {
                        Close(key, entry);
                    }
                }
            });
        }
    }

    /// <summary>Closes a run's pools when it finishes (at once, or when its last step gives its pool back).</summary>
    public void OnEvent(RunRecord run, JournalEvent journalEvent)
    {
        if (journalEvent.Type != JournalEventTypes.RunFinished)
        {
            return;
        }

        foreach (var (key, entry) in _entries.Where(e => e.Value.RunId == run.Id).ToList())
        {
            lock (entry)
            {
                entry.RunFinished = true;
                Close(key, entry);
            }
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var (key, entry) in _entries.ToList())
        {
            lock (entry)
            {
                entry.Borrowers = 0;
                Close(key, entry);
            }
        }
    }

    private static void RouteToStep(SshOutputLine line) =>
        StepLog.Value?.Output(line.Line, line.Stream == SshStream.StandardError ? "stderr" : "stdout", line.Host);

    private void CloseIdle()
    {
        foreach (var (key, entry) in _entries.ToList())
        {
            lock (entry)
            {
                if (_time.GetElapsedTime(entry.LastReturned) >= IdleTimeout)
                {
                    Close(key, entry);
                }
            }
        }
    }

    /// <summary>Closes the pool unless a step still uses it; call with the entry locked.</summary>
    private void Close(string key, Entry entry)
    {
        if (entry.Borrowers > 0 || entry.Closed)
        {
            return;
        }

        entry.Closed = true;
        _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        entry.Pool.Dispose();
    }

    /// <summary>A borrowed pool; disposing gives it back.</summary>
    public sealed class Borrowed(SshConnectionPool pool, Action giveBack) : IDisposable
    {
        private Action? _giveBack = giveBack;

        public SshConnectionPool Pool { get; } = pool;

        public void Dispose() => Interlocked.Exchange(ref _giveBack, null)?.Invoke();
    }

    private sealed class Entry(string runId, SshConnectionPool pool)
    {
        public string RunId { get; } = runId;

        public SshConnectionPool Pool { get; } = pool;

        public int Borrowers { get; set; }

        public long LastReturned { get; set; }

        public bool RunFinished { get; set; }

        public bool Closed { get; set; }
    }
}
