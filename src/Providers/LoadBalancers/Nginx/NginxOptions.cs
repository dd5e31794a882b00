using System.Text.RegularExpressions;
using Scriban;

namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// How to drive one nginx upstream: the file nginx includes that holds the <c>upstream</c> block, the
/// template that renders it, the servers it lists and the commands that test and reload nginx.
/// </summary>
/// <example>
/// <code>
/// new NginxOptions
/// {
///     UpstreamName = "web",
///     UpstreamConfigPath = "/etc/nginx/conf.d/web-upstream.conf",
///     MainConfigPath = "/etc/nginx/nginx.conf",
///     Servers = new Dictionary&lt;string, string&gt; { ["web1"] = "10.0.0.11:8080", ["web2"] = "10.0.0.12:8080" },
/// };
/// </code>
/// </example>
public sealed partial record NginxOptions
{
    /// <summary>The template used when <see cref="UpstreamTemplate"/> is not set.</summary>
    public const string DefaultUpstreamTemplate =
        """
        # Written by Gantry: taking servers out and bringing them live rewrites this file.
        upstream {{ name }} {
        {{~ for s in servers ~}}
            server {{ s.address }}{{ if s.down }} down{{ end }};
        {{~ end ~}}
        }

        """;

    /// <summary>Name of the <c>upstream</c> block, as used by <c>proxy_pass http://&lt;name&gt;</c>. Required.</summary>
    public required string UpstreamName { get; init; }

    /// <summary>Path of the file, included by the main configuration, that holds the upstream block. Required.</summary>
    public required string UpstreamConfigPath { get; init; }

    /// <summary>
    /// The main configuration file, passed as <c>-c</c> to the default test and reload commands.
    /// The default value is <see langword="null"/>: nginx's compiled-in default is used.
    /// </summary>
    public string? MainConfigPath { get; init; }

    /// <summary>The nginx program used by the default commands. The default value is <c>nginx</c> (found on PATH).</summary>
    public string NginxPath { get; init; } = "nginx";

    /// <summary>
    /// Server name (the host's <c>lb_server</c>) to address (<c>host:port</c>) as written in the
    /// upstream block. Servers are rendered in this order. Required.
    /// </summary>
    public required IReadOnlyDictionary<string, string> Servers { get; init; }

    /// <summary>
    /// Scriban template of the whole upstream file. It sees <c>name</c> (the upstream name) and
    /// <c>servers</c>, each with <c>name</c>, <c>address</c> and <c>down</c>. The file is read back by
    /// parsing <c>server &lt;address&gt; ... down;</c> lines, so the template must keep that shape.
    /// The default value is <see cref="DefaultUpstreamTemplate"/>.
    /// </summary>
    public string UpstreamTemplate { get; init; } = DefaultUpstreamTemplate;

    /// <summary>
    /// Command (argv, no shell) that checks the configuration after the file is written.
    /// The default value is <see langword="null"/>, meaning <c>nginx -t -c &lt;MainConfigPath&gt;</c>.
    /// </summary>
    public IReadOnlyList<string>? TestCommand { get; init; }

    /// <summary>
    /// Command (argv, no shell) that makes nginx load the new file.
    /// The default value is <see langword="null"/>, meaning <c>nginx -s reload -c &lt;MainConfigPath&gt;</c>.
    /// </summary>
    public IReadOnlyList<string>? ReloadCommand { get; init; }

    /// <summary>
    /// How long to wait after a reload that takes servers out, so in-flight requests finish on the
    /// old workers. The default value is <see langword="null"/>: the controller's
    /// <see cref="LoadBalancerTimings.SettleDelay"/>.
    /// </summary>
    public TimeSpan? SettleDelay { get; init; }

    /// <summary>How long one test or reload command may run. The default value is 30 seconds.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The test command that will run, defaults applied.</summary>
    public IReadOnlyList<string> EffectiveTestCommand => TestCommand ?? WithMainConfig([NginxPath, "-t"]);

    /// <summary>The reload command that will run, defaults applied.</summary>
    public IReadOnlyList<string> EffectiveReloadCommand => ReloadCommand ?? WithMainConfig([NginxPath, "-s", "reload"]);

    /// <summary>Checks every option and reports all problems at once.</summary>
    /// <exception cref="NginxException">One or more options are invalid; the message lists each.</exception>
    public void Validate() => _ = ParseTemplate();

    internal Template ParseTemplate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(UpstreamName) || !UpstreamNamePattern().IsMatch(UpstreamName))
        {
            errors.Add($"UpstreamName '{UpstreamName}' is not a valid nginx upstream name: use letters, digits, '_', '-' and '.'.");
        }

        if (string.IsNullOrWhiteSpace(UpstreamConfigPath))
        {
            errors.Add("UpstreamConfigPath is empty: give the path of the file nginx includes for the upstream block.");
        }

        if (Servers is null || Servers.Count == 0)
        {
            errors.Add("Servers is empty: map each server name to its address (host:port).");
        }
        else
        {
            foreach (var (name, address) in Servers)
            {
                if (string.IsNullOrWhiteSpace(address) || !AddressPattern().IsMatch(address))
                {
                    errors.Add($"Server '{name}' has address '{address}', which is not a host:port nginx can take in a server line.");
                }
            }

            foreach (var group in Servers.GroupBy(s => s.Value, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            {
                errors.Add(
                    $"Servers {string.Join(", ", group.Select(s => $"'{s.Key}'"))} share the address '{group.Key}': each server needs its own "
                    + "address so that it can be found in the file.");
            }
        }

        if (TestCommand is { Count: 0 })
        {
            errors.Add("TestCommand is empty: give the program and its arguments, or leave it unset for 'nginx -t'.");
        }

        if (ReloadCommand is { Count: 0 })
        {
            errors.Add("ReloadCommand is empty: give the program and its arguments, or leave it unset for 'nginx -s reload'.");
        }

        if (CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add($"CommandTimeout is {CommandTimeout}: it must be positive.");
        }

        var template = Template.Parse(UpstreamTemplate ?? string.Empty);
        if (template.HasErrors)
        {
            errors.Add($"UpstreamTemplate does not parse: {string.Join("; ", template.Messages.Select(m => m.ToString().TrimEnd('.')))}.");
        }

        if (errors.Count > 0)
        {
            throw new NginxException($"The nginx options are invalid:{Environment.NewLine}- {string.Join(Environment.NewLine + "- ", errors)}");
        }

        return template;
    }

    private string[] WithMainConfig(string[] argv) =>
        MainConfigPath is null ? argv : [.. argv, "-c", MainConfigPath];

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$")]
    private static partial Regex UpstreamNamePattern();

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.\-]+):[0-9]{1,5}$")]
    private static partial Regex AddressPattern();
}
