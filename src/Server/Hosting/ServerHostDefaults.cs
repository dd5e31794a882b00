using Microsoft.Extensions.Configuration.Memory;

namespace Gantry.Server.Hosting;

/// <summary>
/// Host settings that differ from ASP.NET's defaults because the content root is the user's workspace
/// and the server is busy on its hot path; each stays overridable through configuration.
/// </summary>
internal static class ServerHostDefaults
{
    /// <summary>
    /// Command-line style host settings for <see cref="WebApplicationOptions.Args"/>. Reloading
    /// configuration files on change watches the content root recursively: the whole workspace, the
    /// store's database and its write-ahead log included, so every journal commit woke the watcher.
    /// </summary>
    public static string[] HostArguments => ["--hostBuilder:reloadConfigOnChange=false"];

    /// <summary>The category whose per-request lines (six for one run start) are left out below Warning.</summary>
    public const string AspNetCoreCategory = "Microsoft.AspNetCore";

    /// <summary>
    /// What ASP.NET's project template writes into appsettings.json: its own request lines only from
    /// Warning up. At Information they cost about as much CPU as the run start they describe. Added as the
    /// lowest-priority source, so <c>Logging__LogLevel__Microsoft.AspNetCore=Information</c> (or an
    /// appsettings.json) brings them back.
    /// </summary>
    public static void AddQuietRequestLogging(IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new KeyValuePair<string, string?>($"Logging:LogLevel:{AspNetCoreCategory}", nameof(LogLevel.Warning))],
        });
    }
}
