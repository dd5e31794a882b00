using Microsoft.Extensions.Logging;

namespace Gantry.Engine.Runtime;

/// <summary>
/// The engine's log messages, source-generated, for failures that happen off any caller's path (an
/// observer, a background run, a lease renewal, a prune): they are logged with the whole exception,
/// inside a scope naming the run (and the step), so a host that reads only its log still sees them.
/// </summary>
internal static partial class EngineLog
{
    private static readonly Func<ILogger, string, IDisposable?> RunScope =
        LoggerMessage.DefineScope<string>("run {RunId}");

    private static readonly Func<ILogger, string, string, IDisposable?> StepScope =
        LoggerMessage.DefineScope<string, string>("run {RunId} step {StepId}");

    /// <summary>A scope carrying <c>RunId</c>, and <c>StepId</c> when <paramref name="stepId"/> is given.</summary>
    public static IDisposable? BeginRun(ILogger logger, string runId, string? stepId = null) =>
        stepId is null ? RunScope(logger, runId) : StepScope(logger, runId, stepId);

    [LoggerMessage(3001, LogLevel.Warning, "A journal observer ({Observer}) failed on event {EventType} of run {RunId}; the run goes on")]
    public static partial void ObserverFailed(ILogger logger, string observer, string eventType, string runId, Exception exception);

    [LoggerMessage(3002, LogLevel.Error, "Run {RunId} failed in the background, outside its journal")]
    public static partial void BackgroundRunFailed(ILogger logger, string runId, Exception exception);

    [LoggerMessage(3003, LogLevel.Warning, "The lease of run {RunId} could not be released; it expires by itself")]
    public static partial void LeaseReleaseFailed(ILogger logger, string runId, Exception exception);

    [LoggerMessage(3004, LogLevel.Warning, "The lease of run {RunId} could not be renewed; tried again until it would expire")]
    public static partial void LeaseRenewalFailed(ILogger logger, string runId, Exception exception);

    [LoggerMessage(3005, LogLevel.Warning, "Retention prune (keeping runs for {Keep}) failed; tried again in {Interval}")]
    public static partial void PruneFailed(ILogger logger, TimeSpan keep, TimeSpan interval, Exception exception);
}
