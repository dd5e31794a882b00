using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gantry.Cli.Infrastructure;

/// <summary>
/// The CLI's log: what the engine reports off any command's path (an observer or a background run that
/// failed, a lease it could not renew, a retention prune that failed), on stderr so stdout stays the
/// command's own output; warnings and above unless <see cref="LevelVariable"/> says otherwise.
/// </summary>
internal static class CliLogging
{
    /// <summary>The environment variable that sets the least level logged: Trace, Debug, Information, Warning (the default), Error.</summary>
    public const string LevelVariable = "GANTRY_LOG_LEVEL";

    // Only the names: Enum.TryParse also takes numbers ("7" is above None and silences everything).
    private static readonly Dictionary<string, LogLevel> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["trace"] = LogLevel.Trace,
        ["debug"] = LogLevel.Debug,
        ["information"] = LogLevel.Information,
        ["info"] = LogLevel.Information,
        ["warning"] = LogLevel.Warning,
        ["warn"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
        ["critical"] = LogLevel.Critical,
        ["none"] = LogLevel.None,
    };

    public static IServiceCollection AddCliLogging(this IServiceCollection services) =>
        services.AddLogging(logging => logging
            .SetMinimumLevel(Level(Environment.GetEnvironmentVariable(LevelVariable), Console.Error))
            .AddSimpleConsole(console => console.IncludeScopes = true)
            .Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

    /// <summary>
    /// The level <paramref name="value"/> names. A value that names none is reported on <paramref name="errors"/>
    /// and the default (Warning) used: a typo in a diagnostics setting must not stop a deploy, nor hide its warnings.
    /// </summary>
    private static LogLevel Level(string? value, TextWriter errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return LogLevel.Warning;
        }

        if (Names.TryGetValue(value.Trim(), out var level))
        {
            return level;
        }

        errors.WriteLine(
            $"gantry: {LevelVariable}='{value}' is not a log level; expected one of {string.Join(", ", Names.Keys)} (any case). "
            + "Logging warnings and above.");
        return LogLevel.Warning;
    }
}
