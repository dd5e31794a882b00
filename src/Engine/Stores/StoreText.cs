using System.Security.Cryptography;
using System.Text;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Stores;

/// <summary>How statuses, states and hashes are written in store columns.</summary>
internal static class StoreText
{
    public static readonly string[] FinishedStatuses =
        [Status(RunStatus.Succeeded), Status(RunStatus.Failed), Status(RunStatus.Cancelled), Status(RunStatus.Superseded)];

    public static readonly string[] ClaimableStatuses = [Status(RunStatus.Pending), Status(RunStatus.Running)];

    /// <summary>
    /// SQL true for a run woken since its last execution pass: a signal or cancel request journaled
    /// after its latest run.started or run.resumed. Shared by both stores' claim queries.
    /// </summary>
    public const string WokenSinceLastPass = $"""
        EXISTS (SELECT 1 FROM journal wake WHERE wake.run_id = runs.id
            AND wake.type IN ('{JournalEventTypes.SignalReceived}', '{JournalEventTypes.RunCancelRequested}')
            AND wake.sequence > (SELECT COALESCE(MAX(pass.sequence), 0) FROM journal pass
                WHERE pass.run_id = runs.id AND pass.type IN ('{JournalEventTypes.RunStarted}', '{JournalEventTypes.RunResumed}')))
        """;

    public static string Status(RunStatus status) => status.ToString().ToLowerInvariant();

    public static RunStatus ParseStatus(string text) => Enum.Parse<RunStatus>(text, ignoreCase: true);

    public static string State(DefinitionState state) => state.ToString().ToLowerInvariant();

    public static DefinitionState ParseState(string text) => Enum.Parse<DefinitionState>(text, ignoreCase: true);

    public static bool IsFinished(RunStatus status) =>
        status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Superseded;

    /// <summary>Lower-case hexadecimal SHA-256 of the UTF-8 text.</summary>
    public static string ContentHash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
