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

    public static IServiceCollection AddCliLogging(this IServiceCollection services) =>
        services.AddLogging(logging => logging
            .SetMinimumLevel(Level())
            .AddSimpleConsole(console => console.IncludeScopes = true)
            .Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

    private static LogLevel Level() =>
        Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable(LevelVariable), ignoreCase: true, out var level) ? level : LogLevel.Warning;
}
