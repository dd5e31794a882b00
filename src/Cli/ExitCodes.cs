using Gantry.Engine.Diagnostics;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli;

/// <summary>What <c>gantry</c> returns: 0 all valid, 1 invalid documents or a failed command, 2 bad usage.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Invalid = 1;
    public const int Usage = 2;

    /// <summary>Prints an exception the commands did not handle and maps it to an exit code.</summary>
    internal static int Report(Exception exception, IAnsiConsole console)
    {
        switch (exception)
        {
            case CommandAppException usage:
                if (usage.Pretty is { } pretty)
                {
                    console.Write(pretty);
                }
                else
                {
                    console.MarkupLine($"[red]error:[/] {Markup.Escape(usage.Message)}");
                }

                return Usage;
            case UsageException usage:
                console.MarkupLine($"[red]error:[/] {Markup.Escape(usage.Message)}");
                return Usage;
            case DocumentInvalidException invalid:
                foreach (var diagnostic in invalid.Diagnostics)
                {
                    console.MarkupLine($"[red]error:[/] {Markup.Escape(diagnostic.ToString())}");
                }

                return Invalid;
            default:
                console.MarkupLine($"[red]error:[/] {Markup.Escape(exception.Message)}");
                return Invalid;
        }
    }
}

/// <summary>The command line asks for something that cannot be done as asked (missing file, unknown id): exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
