namespace Gantry.Engine.Runtime;

/// <summary>
/// The lease of the run executing in the calling async flow, for activities to check right before each
/// action on the fleet (a load balancer command, a host switched to a release). Fenced journal writes stop a
/// process that lost its lease at its next write; a process that was paused (SIGSTOP, a VM frozen, a long GC)
/// or cut off from the store past its lease may, when it goes on, be in the middle of a step with a command
/// still to send, before any write and before its heartbeat notices. This check is synchronous and reads the
/// clock, so such a process stops before touching the fleet again, whichever of its timers fires first.
/// </summary>
public static class LeaseGuard
{
    private static readonly AsyncLocal<LeaseWatch?> Current = new();

    /// <summary>
    /// Throws (and abandons the execution, so nothing more is journaled) when the execution in this flow can no
    /// longer count on its lease: it was abandoned, or a sixth of the lease or less is left since the last renewal
    /// that succeeded (renewals come every third, so a live process whose store answers never gets that close; the
    /// sixth covers the time the action itself takes). Does nothing
    /// outside a leased execution (a CLI command acting on a load balancer directly).
    /// </summary>
    public static void ThrowIfLost() => Current.Value?.ThrowIfLost();

    /// <summary>Makes <paramref name="watch"/> the lease of the calling flow and of the flows it starts.</summary>
    internal static void Enter(LeaseWatch watch) => Current.Value = watch;
}

/// <summary>One execution's lease as seen from its process: valid until the last successful renewal plus the lease.</summary>
internal sealed class LeaseWatch(RunLease lease, TimeSpan duration, TimeProvider time, Action<Exception> abandon, CancellationToken abandoned)
{
    private long _validUntilTicks = (time.GetUtcNow() + duration).UtcTicks;

    public DateTimeOffset ValidUntil => new(Interlocked.Read(ref _validUntilTicks), TimeSpan.Zero);

    /// <summary>A renewal attempted at <paramref name="attempt"/> succeeded.</summary>
    public void Renewed(DateTimeOffset attempt) => Interlocked.Exchange(ref _validUntilTicks, (attempt + duration).UtcTicks);

    public void ThrowIfLost()
    {
        abandoned.ThrowIfCancellationRequested();
        var now = time.GetUtcNow();
        var until = ValidUntil;
        if (now + duration / 6 < until)
        {
            return;
        }

        var lost = new LeaseLostException(
            lease,
            $"its lease {(now >= until ? "expired" : "expires")} at {until:u} and was last renewed {(now - (until - duration)).TotalSeconds:F1} s "
            + "ago (the process was paused or could not reach the store), so it touches nothing more");
        abandon(lost);
        throw lost;
    }
}
