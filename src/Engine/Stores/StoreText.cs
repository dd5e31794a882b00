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

    public static string Status(RunStatus status) => status.ToString().ToLowerInvariant();

    public static RunStatus ParseStatus(string text) => Enum.Parse<RunStatus>(text, ignoreCase: true);

    public static string State(DefinitionState state) => state.ToString().ToLowerInvariant();

    public static DefinitionState ParseState(string text) => Enum.Parse<DefinitionState>(text, ignoreCase: true);

    public static bool IsFinished(RunStatus status) => status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Superseded;

    /// <summary>Lower-case hexadecimal SHA-256 of the UTF-8 text.</summary>
    public static string ContentHash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
