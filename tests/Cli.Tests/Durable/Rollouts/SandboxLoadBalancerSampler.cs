using System.Text.Json;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>
/// The sandbox load balancer's servers read straight from its state file (what <c>lb.status</c> reads, written by
/// every process of the test), for a <see cref="LiveGroupsSampler"/>.
/// </summary>
internal static class SandboxLoadBalancerSampler
{
    /// <param name="stateFile">The sandbox environment's state file (.gantry/sandbox/ENV.json).</param>
    public static LiveGroupsSampler Start(string stateFile, IReadOnlyDictionary<string, string[]> groups, int minLiveGroups) =>
        new(_ => Task.FromResult(Read(stateFile)), groups, minLiveGroups);

    private static IReadOnlyDictionary<string, ServerState>? Read(string stateFile)
    {
        // Written by rename, so a read sees a whole file; a rename between the check and the read is retried next time.
        string text;
        try
        {
            text = File.ReadAllText(stateFile);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // before the first write: not even the .gantry/sandbox folder yet
        }

        using var state = JsonDocument.Parse(text);
        return state.RootElement.GetProperty("servers").EnumerateObject().ToDictionary(
            s => s.Name,
            s => new ServerState(s.Value.GetProperty("admin").GetString() == "Ready", s.Value.GetProperty("health").GetString() != "Down"));
    }
}
