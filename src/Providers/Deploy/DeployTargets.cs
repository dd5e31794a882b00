using Gantry.Engine.Documents;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Plans each host's deploy from the environment: its layout, and its restart, build and health
/// commands rendered over that host's <c>host</c> variable, as a step over the host would see them.
/// </summary>
internal static class DeployTargets
{
    /// <exception cref="DeployException">A host is unknown or its layout is unusable; the message lists every problem.</exception>
    public static List<DeployTarget> For(EnvironmentDefinition environment, IReadOnlyList<string> hosts, int keepReleases)
    {
        var deploy = environment.Deploy;
        var targets = new List<DeployTarget>();
        var problems = new List<string>();
        foreach (var name in hosts)
        {
            if (!environment.Hosts.TryGetValue(name, out var settings))
            {
                problems.Add($"unknown host {name} (environment {environment.Id} has: {string.Join(", ", environment.Hosts.Keys)})");
                continue;
            }

            var hostVariable = HostVariables.For(environment, name);
            string Render(string text) => Template(text, hostVariable);
            var health = deploy.Health switch
            {
                { Url: { Length: > 0 } url } h => (HealthCheck)new HttpHealthCheck(Render(url))
                {
                    ExpectedStatus = h.ExpectStatus,
                    ExpectBody = h.ExpectBody is { } body && !IsTemplate(body) ? body : null,
                    ExpectBodyFor = h.ExpectBody is { } template && IsTemplate(template)
                        ? release => ReleaseTemplate(template, hostVariable, release)
                        : null,
                    ExpectRelease = h.ExpectRelease,
                    Attempts = h.Retries,
                    Interval = h.Interval,
                },
                { Command: { Length: > 0 } command } h => new CommandHealthCheck(Render(command))
                {
                    ExpectRelease = h.ExpectRelease,
                    Attempts = h.Retries,
                    Interval = h.Interval,
                },
                _ => null,
            };
            var layout = new DeployLayout
            {
                Root = settings.Root ?? deploy.Root,
                KeepReleases = keepReleases,
                RestartCommand = deploy.Restart is { } restart ? Render(restart) : "",
                BuildCommand = deploy.Build is { } build ? Render(build) : null,
                HealthCheck = health,
            };
            problems.AddRange(layout.Validate().Select(p => $"host {name}: {p}"));
            targets.Add(new DeployTarget(SshEnvironment.Host(environment, name, settings), layout));
        }

        return problems.Count > 0
            ? throw new DeployException($"environment {environment.Id} cannot be deployed over SSH:\n- " + string.Join("\n- ", problems))
            : targets;
    }

    /// <summary>Renders a template over <c>host</c> only (the environment's per-host commands); plain text is returned as is.</summary>
    public static string Template(string text, object? host) =>
        IsTemplate(text) ? Render(text, new TemplateScope().Set("host", host)) : text;

    /// <summary>
    /// Renders health.expect_body for the release a host is checked on: over <c>host</c>,
    /// <c>release</c> (the tag or short commit) and <c>version</c> (the release without a leading v,
    /// as apps report it: 3.0.1 for v3.0.1).
    /// </summary>
    public static string ReleaseTemplate(string text, object? host, string release) =>
        Render(text, new TemplateScope().Set("host", host).Set("release", release).Set("version", VersionOf(release)));

    private static string VersionOf(string release) =>
        release.Length > 1 && release[0] is 'v' or 'V' && char.IsAsciiDigit(release[1]) ? release[1..] : release;

    private static bool IsTemplate(string text) => text.Contains("{{", StringComparison.Ordinal);

    private static string Render(string text, TemplateScope scope) =>
        Convert.ToString(
            TemplateRenderer.Evaluate(new DocScalar(text, ScalarKind.String, SourceLocation.None), scope),
            System.Globalization.CultureInfo.InvariantCulture
        ) ?? "";
}
