namespace Gantry.Server.Telemetry;

/// <summary>The server's log messages, source-generated, with named properties.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Gantry server started on store {Store}; {Recovered} unfinished runs recovered")]
    public static partial void Started(ILogger logger, string store, int recovered);

    [LoggerMessage(2, LogLevel.Warning, "Workflow file {File} was not imported: {Count} problems; run gantry validate on it")]
    public static partial void ImportSkipped(ILogger logger, string file, int count);

    [LoggerMessage(3, LogLevel.Error, "Request {Path} failed")]
    public static partial void RequestFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "A background run failed outside its journal: {Reason}")]
    public static partial void BackgroundFailed(ILogger logger, string reason);

    [LoggerMessage(5, LogLevel.Information, "Run {RunId} of {WorkflowId} started")]
    public static partial void RunStarted(ILogger logger, string runId, string workflowId);

    [LoggerMessage(6, LogLevel.Information, "Run {RunId} finished: {Status}")]
    public static partial void RunFinished(ILogger logger, string runId, string status);

    [LoggerMessage(7, LogLevel.Information, "Run {RunId} step {StepId} ({Activity}) {Outcome}")]
    public static partial void StepEnded(ILogger logger, string runId, string stepId, string activity, string outcome);

    [LoggerMessage(8, LogLevel.Information, "GitHub {Event} delivery {Delivery} signalled {Count} waiting runs")]
    public static partial void WebhookDelivered(ILogger logger, string @event, string delivery, int count);

    [LoggerMessage(10, LogLevel.Information, "Plugin {Plugin} loaded from {Path}: {Activities}")]
    public static partial void PluginLoaded(ILogger logger, string plugin, string path, string activities);

    [LoggerMessage(11, LogLevel.Error, "Plugin failed to load: {Path}: {Reason}")]
    public static partial void PluginFailed(ILogger logger, string path, string reason);

    [LoggerMessage(12, LogLevel.Information, "Retention pruned {Count} runs finished before {Cutoff}")]
    public static partial void RunsPruned(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(
        14,
        LogLevel.Warning,
        "{Path} holds tokens, secrets or journals but has mode {Mode}: others on this machine may read it; run chmod 600 on it")]
    public static partial void FileTooOpen(ILogger logger, string path, string mode);

    [LoggerMessage(40, LogLevel.Information, "Run takeover: {Line}")]
    public static partial void Worker(ILogger logger, string line);

    [LoggerMessage(
        2301,
        LogLevel.Warning,
        "Stopping: runs still executing after the {Grace} grace are handed back at their last journaled step; another node or the next start "
        + "resumes them")]
    public static partial void HandingBack(ILogger logger, string grace);

    [LoggerMessage(
        1801,
        LogLevel.Warning,
        "Refused a pull_request signal to run {RunId} from token {Token} ({Role}): merge gates count only the signed webhook, approver and admin "
        + "tokens")]
    public static partial void MergeGateSignalRefused(ILogger logger, string runId, string token, string role);

    [LoggerMessage(2501, LogLevel.Information, "Safety state: {Import}")]
    public static partial void SafetyFileImported(ILogger logger, string import);
}
