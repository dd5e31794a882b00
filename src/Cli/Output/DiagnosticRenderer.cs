using System.Globalization;
using Gantry.Engine.Diagnostics;
using Spectre.Console;

namespace Gantry.Cli.Output;

/// <summary>Prints a problem like a compiler: the location and message, then the source line with a caret under the column.</summary>
internal static class DiagnosticRenderer
{
    public static void Write(IAnsiConsole console, Diagnostic diagnostic, string? sourceText)
    {
        console.MarkupLine($"[red]error[/] {Markup.Escape(diagnostic.ToString())}");
        var lines = sourceText?.Split('\n');
        var line = diagnostic.Location.Line;
        if (lines is null || line < 1 || line > lines.Length)
        {
            return;
        }

        var number = line.ToString(CultureInfo.InvariantCulture);
        var gutter = new string(' ', number.Length);
        var source = lines[line - 1].TrimEnd('\r').Replace('\t', ' ');
        var column = Math.Clamp(diagnostic.Location.Column, 1, source.Length + 1);
        console.MarkupLine($"[blue]{number} |[/] {Markup.Escape(source)}");
        console.MarkupLine($"[blue]{gutter} |[/] {new string(' ', column - 1)}[red]^ {Markup.Escape(diagnostic.Message)}[/]");
    }
}
