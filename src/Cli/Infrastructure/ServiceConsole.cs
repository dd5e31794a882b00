using Gantry.Server.Hosting.Systemd;
using Spectre.Console;

namespace Gantry.Cli.Infrastructure;

/// <summary>
/// The console of a process that runs as a service. Under systemd's journal (JOURNAL_STREAM) every line
/// is an entry: no ANSI sequences, and no wrapping at 80 columns (a wrapped line would become several
/// entries). Lines of <c>gantry worker</c> carry the syslog level prefix journald reads as the priority.
/// </summary>
internal static class ServiceConsole
{
    /// <summary>Wide enough that no log line is wrapped.</summary>
    private const int JournalWidth = 4096;

    /// <summary>Replaces the shared console when writing to the journal; elsewhere leaves it as Spectre detected it.</summary>
    public static void ConfigureForJournal()
    {
        if (!JournalLogging.UnderJournal)
        {
            return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        console.Profile.Width = JournalWidth;
        AnsiConsole.Console = console;
    }

    /// <summary>
    /// One log line of a long-running command: under the journal <c>&lt;6&gt;</c> (or <c>&lt;4&gt;</c> for a
    /// failure) and the text, journald adding the time; elsewhere the local time in grey and the text.
    /// </summary>
    public static void WriteLine(IAnsiConsole console, string line)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(line);
        if (JournalLogging.UnderJournal)
        {
            var warning = line.Contains("failed", StringComparison.OrdinalIgnoreCase) || line.Contains("error", StringComparison.OrdinalIgnoreCase);
            console.Profile.Out.Writer.WriteLine((warning ? "<4>" : "<6>") + line.ReplaceLineEndings(" "));
            console.Profile.Out.Writer.Flush();
            return;
        }

        console.MarkupLine($"[grey]{DateTimeOffset.Now:HH:mm:ss}[/] {Markup.Escape(line)}");
    }
}
