using System.Globalization;
using Gantry.Engine.Activities;
using Gantry.Engine.Diagnostics;

namespace Gantry.Providers.Shell;

/// <summary>
/// The program and arguments to start: an argument list as written, or <c>/bin/sh -c SCRIPT</c>
/// for a shell string. <see cref="Display"/> is how messages name the command (before masking).
/// </summary>
internal sealed record ShellCommand(IReadOnlyList<string> Argv, string Display)
{
    public const string ListHint = "shell.local: command must be a list of arguments like [git, status]; set shell: true to run a shell string";

    /// <summary>Reads <c>command</c> and <c>shell</c>; throws with every problem in the inputs at once.</summary>
    public static ShellCommand From(ActivityContext context, object? command, bool shell, TimeSpan? timeout)
    {
        var problems = new List<(string Field, string Message)>();
        ShellCommand? parsed = null;
        switch (command)
        {
            case string script when shell:
                parsed = script.Trim().Length == 0
                    ? null
                    : new ShellCommand(["/bin/sh", "-c", script], $"'{script}'");
                if (parsed is null)
                {
                    problems.Add(("command", "shell.local: command is empty; give the shell script to run"));
                }

                break;
            case string:
                problems.Add(("command", ListHint));
                break;
            case IEnumerable<object?> items when shell:
                problems.Add(
                    (
                        "command",
                        $"shell.local: with shell: true, command must be one string like \"make build && make test\", not a list of {items.Count()} "
                        + "arguments"));
                break;
            case IEnumerable<object?> items:
                var argv = new List<string>();
                var index = 0;
                foreach (var item in items)
                {
                    if (item is null or IEnumerable<object?> or IReadOnlyDictionary<string, object?>
                        || (item is string s && s.Length == 0 && index == 0))
                    {
                        problems.Add(
                            (
                                $"command[{index}]",
                                $"shell.local: every argument must be a plain value (text or number); argument {index} is {Describe(item)}"));
                    }
                    else
                    {
                        argv.Add(Convert.ToString(item, CultureInfo.InvariantCulture)!);
                    }

                    index++;
                }

                if (index == 0)
                {
                    problems.Add(("command", "shell.local: command is an empty list; give at least the program, like [git, status]"));
                }

                parsed = new ShellCommand(argv, "[" + string.Join(", ", argv) + "]");
                break;
            default:
                problems.Add(("command", $"{ListHint}; got {Describe(command)}"));
                break;
        }

        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            problems.Add(("timeout", $"shell.local: timeout must be positive, got {Engine.Schema.Duration.Format(t)}"));
        }

        if (problems.Count > 0)
        {
            throw new DocumentInvalidException(
                problems.Select(p => new Diagnostic(context.InputsLocation, $"{context.StepPath}.with.{p.Field}", p.Message)).ToList());
        }

        return parsed!;
    }

    private static string Describe(object? value) => value switch
    {
        null => "nothing (null)",
        "" => "an empty string",
        IReadOnlyDictionary<string, object?> => "a mapping",
        IEnumerable<object?> => "a list",
        _ => $"'{Convert.ToString(value, CultureInfo.InvariantCulture)}'",
    };
}
