using Gantry.Engine.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Engine.Runtime;

/// <summary>
/// Keeps finished runs (and their journals) for <see cref="Keep"/>, then deletes them: prunes once
/// on start and again every <see cref="Interval"/>. Unfinished runs (pending, running, waiting) are
/// never deleted. A failed prune is logged (and told to <see cref="Failed"/>) and retried at the next tick;
/// it never stops the host.
/// </summary>
public sealed class RetentionPruner(IRunRetention retention, TimeSpan keep, TimeProvider time, ILogger<RetentionPruner>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<RetentionPruner>.Instance;

    /// <summary>The environment variable that sets the retention when no option does.</summary>
    public const string Variable = "GANTRY_RETENTION";

    /// <summary>The retention when nothing sets one.</summary>
    public static readonly TimeSpan DefaultKeep = TimeSpan.FromDays(30);

    /// <summary>How often runs are pruned.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    public TimeSpan Keep => keep;

    /// <summary>Told after each prune: how many runs went and the cutoff used.</summary>
    public Action<int, DateTimeOffset>? Pruned { get; set; }

    /// <summary>Told when a prune failed (the store unreachable, say), after the failure is logged.</summary>
    public Action<Exception>? Failed { get; set; }

    /// <summary>
    /// Reads a retention as people write it: a duration such as <c>30d</c> or <c>12h</c>, or
    /// <c>0</c> / <c>off</c> to keep runs for ever (<paramref name="keep"/> is then null).
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan? keep)
    {
        keep = null;
        if (text?.Trim() is "0" or "off")
        {
            return true;
        }

        if (Duration.TryParse(text, out var parsed) && parsed >= TimeSpan.Zero)
        {
            keep = parsed == TimeSpan.Zero ? null : parsed;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The retention from an option, else from <see cref="Variable"/>, else <see cref="DefaultKeep"/>;
    /// null when it is off. Throws <see cref="ArgumentException"/> naming the bad value.
    /// </summary>
    public static TimeSpan? Resolve(string? option)
    {
        var (text, source) = option is not null ? (option, "--retention") : (Environment.GetEnvironmentVariable(Variable), Variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultKeep;
        }

        return TryParse(text, out var keep)
            ? keep
            : throw new ArgumentException(
                $"{source} '{text}' is not a retention; expected a duration such as 30d, or 0 or off to keep runs for ever");
    }

    /// <summary>Deletes runs that finished more than <see cref="Keep"/> ago; returns how many.</summary>
    public async Task<int> PruneOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - keep;
        var pruned = await retention.PruneAsync(cutoff, cancellationToken).ConfigureAwait(false);
        Pruned?.Invoke(pruned, cutoff);
        return pruned;
    }

    /// <summary>Prunes now and every <see cref="Interval"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The timer starts before the first prune, so ticks keep to the hour however long a prune takes.
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await PruneOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                EngineLog.PruneFailed(_logger, keep, Interval, ex);
                Failed?.Invoke(ex);
            }
        }
        while (await NextTickAsync(timer, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
