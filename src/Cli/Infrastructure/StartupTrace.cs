using System.Diagnostics;

namespace Gantry.Cli.Infrastructure;

/// <summary>
/// <c>GANTRY_STARTUP_TRACE=1</c>: prints on stderr how many milliseconds after the process started each
/// start-up phase ended (<c>startup: main 61 ms</c>), to find where a command's start-up goes without
/// the weight of the runtime's event tracing. Off, it costs one environment read.
/// </summary>
internal static class StartupTrace
{
    public const string Variable = "GANTRY_STARTUP_TRACE";

    private static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) == "1";

    public static void Mark(string phase)
    {
        if (!Enabled)
        {
            return;
        }

        // Read per mark, not kept: the mark itself must not move the numbers it reports.
        var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        Console.Error.WriteLine($"startup: {phase} {sinceStart.TotalMilliseconds:0} ms");
    }
}
