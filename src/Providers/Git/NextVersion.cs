using Semver;

namespace Gantry.Providers.Git;

/// <summary>Which part of the newest stable version <c>git.next-version</c> raises.</summary>
public enum VersionBump { Major, Minor, Patch }

/// <summary>The version a release or hotfix gets: computed from the tags, or the one asked for.</summary>
/// <param name="Version">The version without prefix, e.g. <c>3.1.0</c>.</param>
/// <param name="Tag">The tag it will get, e.g. <c>v3.1.0</c>.</param>
/// <param name="Previous">The newest stable tag it follows, e.g. <c>v3.0.0</c>; empty when there is none.</param>
public sealed record NextVersionResult(string Version, string Tag, string Previous);

/// <summary>
/// Computes the next version from the newest stable release tag (<see cref="TagSelector"/>'s
/// <c>stable</c>: pre-releases and tags that are not the prefix + a strict SemVer are ignored),
/// or checks a requested one: it must be a strict SemVer above that tag, so a typo like
/// <c>3.0</c> or a version that was already released is refused before a branch is created.
/// </summary>
public static class NextVersion
{
    public static NextVersionResult Compute(IEnumerable<string> tags, VersionBump bump, string? requested, string prefix = "v")
    {
        prefix ??= string.Empty;
        var newest = TagSelector.Parse(tags, prefix).LastOrDefault(t => !t.Version.IsPrerelease);
        var previous = newest?.Tag ?? string.Empty;
        if (!string.IsNullOrWhiteSpace(requested))
        {
            var version = ParseRequested(requested.Trim(), prefix);
            if (newest is not null && version.ComparePrecedenceTo(newest.Version) <= 0)
            {
                throw new GitException(
                    $"version '{requested.Trim()}' is not above the newest stable release {newest.Tag}: give a higher version, or none to get "
                    + $"{Bump(newest.Version, bump)}");
            }

            return new NextVersionResult(version.ToString(), prefix + version, previous);
        }

        var next = newest is null ? Bump(new SemVersion(0, 0, 0), bump) : Bump(newest.Version, bump);
        return new NextVersionResult(next.ToString(), prefix + next, previous);
    }

    private static SemVersion ParseRequested(string requested, string prefix)
    {
        if (SemVersion.TryParse(requested, SemVersionStyles.Strict, out var version))
        {
            return version;
        }

        var hint = prefix.Length > 0 && requested.StartsWith(prefix, StringComparison.Ordinal)
            && SemVersion.TryParse(requested[prefix.Length..], SemVersionStyles.Strict, out _)
            ? $" (give it without the '{prefix}' prefix)"
            : "";
        throw new GitException($"version '{requested}' is not a semantic version like 3.1.0{hint}");
    }

    private static SemVersion Bump(SemVersion from, VersionBump bump) => bump switch
    {
        VersionBump.Major => new SemVersion(from.Major + 1, 0, 0),
        VersionBump.Minor => new SemVersion(from.Major, from.Minor + 1, 0),
        _ => new SemVersion(from.Major, from.Minor, from.Patch + 1),
    };
}
