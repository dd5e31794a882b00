using System.Reflection;

namespace Gantry.Cli;

/// <summary>What <c>gantry --version</c> prints: the package version and the git commit the binary was built from.</summary>
internal static class BuildInfo
{
    /// <summary>The SDK writes "VERSION+COMMIT" into the informational version when the build knew the commit.</summary>
    public static string Describe() =>
        Describe(typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    internal static string Describe(string? informationalVersion)
    {
        var parts = (informationalVersion ?? "").Split('+', 2);
        var version = parts[0].Length > 0 ? parts[0] : "0.0.0";
        var commit = parts.Length == 2 && parts[1].Length > 0 ? parts[1] : null;
        return commit is null
            ? $"{version} (commit unknown: not built from a git checkout)"
            : $"{version} (commit {commit[..Math.Min(12, commit.Length)]})";
    }
}
