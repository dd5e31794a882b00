using Microsoft.Extensions.Logging.Console;

namespace Gantry.Server.Hosting.Systemd;

/// <summary>
/// Console logs that read well where they end up: under systemd's journal (JOURNAL_STREAM is set) one
/// line per entry with the syslog level prefix journald turns into the entry's priority (<c>&lt;6&gt;</c>
/// information, <c>&lt;4&gt;</c> warning, <c>&lt;3&gt;</c> error) and no colour or timestamp (journald stamps
/// entries); elsewhere one line per entry, coloured only on a terminal without NO_COLOR.
/// </summary>
public static class JournalLogging
{
    /// <summary>The variable systemd sets when stdout or stderr goes to the journal.</summary>
    public const string JournalVariable = "JOURNAL_STREAM";

    /// <summary>Whether this process writes to systemd's journal.</summary>
    public static bool UnderJournal => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(JournalVariable));

    /// <summary>Whether colour must stay off although a terminal could show it (https://no-color.org).</summary>
    public static bool NoColor => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>Sets the console logger's format for where it writes.</summary>
    public static void Configure(ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        if (UnderJournal)
        {
            logging.AddSystemdConsole(o =>
            {
                o.IncludeScopes = false;
                o.TimestampFormat = null;
            });
            return;
        }

        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            // Default: colour on a terminal only, never when the output is redirected.
            o.ColorBehavior = NoColor ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
        });
    }
}
