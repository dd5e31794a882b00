using System.Reflection;

namespace Gantry.Cli.Commands.Init;

/// <summary>One file <c>gantry init</c> puts in a workspace: its path relative to the workspace and its text.</summary>
internal sealed record ScaffoldFile(string Path, string Text);

/// <summary>
/// What a new workspace holds: the built-in workflows (hotfix, daily-release, rolling-deploy, rollback, …)
/// and environments (sandbox, the examples) and the JSON Schemas their <c>$schema</c> lines name, all
/// embedded in this binary, so an installed tool scaffolds without a clone of the repository.
/// </summary>
internal static class WorkspaceScaffold
{
    private const string Prefix = "workspace/";

    /// <summary>Every embedded workspace file, by relative path (forward slashes).</summary>
    public static IReadOnlyList<ScaffoldFile> BuiltIn()
    {
        var assembly = typeof(WorkspaceScaffold).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => new ScaffoldFile(n[Prefix.Length..], Read(assembly, n)))
            .ToList();
    }

    /// <summary>A README for the team: what is where and the commands that matter on day one.</summary>
    public static string Readme(string? environmentId) => $"""
        # Deploy workflows

        This folder is a Gantry workspace: `workflows/` holds the procedures (versioned with this
        repository), `workflows/environments/` the fleets they run on, `.gantry/` the run store and
        keys (never committed).

        ```sh
        gantry validate workflows/{(environmentId is null ? "" : $" --env {environmentId}")}          # every error with file:line:column
        gantry status --env {environmentId ?? "sandbox"}                    # what every host runs now
        gantry run rolling-deploy --env {environmentId ?? "sandbox"}        # a rollout, group by group
        gantry serve                                  # the API and the designer on http://127.0.0.1:5080
        ```

            - `sandbox` is simulated: try every workflow there first.
            {(
                environmentId is null
                    ? "- Bring your fleet in with `gantry env import` (Ansible inventory, HAProxy configuration, host list)."
                    : $"- `{environmentId}`: fill `{environmentId}.known_hosts` (ssh-keyscan) and check `deploy:` before the first deploy."
            )}
            - Releases another tool deployed: `gantry deploy adopt --env ENV` records them, so `gantry rollback` can go back to them.

        """;

    /// <summary>What .gitignore must hold: the run store, tokens and keys stay on this machine.</summary>
    public const string GitIgnoreLine = ".gantry/";

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
