using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Spectre.Console;

namespace Gantry.Cli.Commands.Deploy;

/// <summary>The step log of a deploy run from the command line: host lines and n-of-m progress on the console, secrets masked.</summary>
internal sealed class ConsoleStepLog(IAnsiConsole console, SecretMasker masker) : IStepLog
{
    private readonly Lock _gate = new();

    public void Info(string message, string? host = null) => Write("grey", host, message);

    public void Warn(string message, string? host = null) => Write("yellow", host, message);

    public void Output(string line, string stream, string? host = null) => Write("grey", host is null ? null : $"{host} {stream}", line);

    public void Progress(int done, int total, int failed) =>
        Write("blue", null, $"{done} of {total} hosts done" + (failed > 0 ? $", {failed} failed" : ""));

    private void Write(string color, string? prefix, string message)
    {
        var text = masker.Apply(prefix is null ? message : $"{prefix}: {message}");
        lock (_gate)
        {
            console.MarkupLine($"  [{color}]{Markup.Escape(text)}[/]");
        }
    }
}
