using Semver;

namespace Gantry.Providers.Git;

/// <summary>A tag chosen by <see cref="TagSelector"/>.</summary>
/// <param name="Tag">The tag name, prefix included (<c>v3.0.1</c>).</param>
/// <param name="Version">The version it names (<c>3.0.1</c>).</param>
public sealed record SelectedTag(string Tag, SemVersion Version);

/// <summary>
/// Picks a release tag: <c>stable</c> = highest SemVer without a pre-release part,
/// <c>latest</c> = highest including pre-releases, or an explicit <c>v1.2.3</c> (or <c>1.2.3</c>)
/// that must exist. Tags that are not <c>&lt;prefix&gt;</c> + a strict SemVer version are ignored.
/// </summary>
public static class TagSelector
{
    /// <summary>The reference that selects the highest release without a pre-release part.</summary>
    public const string Stable = "stable";

    /// <summary>The reference that selects the highest release, pre-releases included.</summary>
    public const string Latest = "latest";

    private const int NearestCount = 3;

    /// <summary>Selects the tag <paramref name="reference"/> designates, or throws <see cref="GitException"/> saying why none fits.</summary>
    public static SelectedTag Select(IEnumerable<string> tags, string reference, string prefix = "v")
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(reference);
        prefix ??= string.Empty;
        var versions = Parse(tags, prefix);
        var wanted = reference.Trim();

        if (string.Equals(wanted, Stable, StringComparison.OrdinalIgnoreCase) || string.Equals(wanted, Latest, StringComparison.OrdinalIgnoreCase))
        {
            var stableOnly = string.Equals(wanted, Stable, StringComparison.OrdinalIgnoreCase);
            var candidates = stableOnly ? versions.Where(v => !v.Version.IsPrerelease).ToList() : versions;
            if (candidates.Count == 0)
            {
                throw new GitException(
                    $"No {(stableOnly ? "stable " : string.Empty)}release tag found: no tag is '{prefix}' followed by a semantic version"
                    + $"{(stableOnly ? " without a pre-release part" : string.Empty)} (like '{prefix}1.2.3'). {Describe(versions, prefix)}");
            }

            return candidates[^1];
        }

        var versionText = wanted.StartsWith(prefix, StringComparison.Ordinal) ? wanted[prefix.Length..] : wanted;
        if (!SemVersion.TryParse(versionText, SemVersionStyles.Strict, out var version))
        {
            throw new GitException(
                $"Ref '{reference}' is not valid: expected '{Stable}', '{Latest}' or a version tag like '{prefix}1.2.3'.");
        }

        var found = versions.FirstOrDefault(v => v.Version.Equals(version));
        if (found is not null)
        {
            return found;
        }

        var nearest = Nearest(versions, version);
        throw new GitException(
            $"Tag '{prefix}{version}' does not exist. "
            + (nearest.Count == 0 ? Describe(versions, prefix) : $"Nearest existing tags: {string.Join(", ", nearest.Select(t => t.Tag))}."));
    }

    /// <summary>The release tags among <paramref name="tags"/>, lowest version first.</summary>
    public static IReadOnlyList<SelectedTag> Parse(IEnumerable<string> tags, string prefix = "v")
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(prefix);
        var result = new List<SelectedTag>();
        foreach (var tag in tags.Distinct(StringComparer.Ordinal))
        {
            if (tag.StartsWith(prefix, StringComparison.Ordinal)
                && SemVersion.TryParse(tag[prefix.Length..], SemVersionStyles.Strict, out var version))
            {
                result.Add(new SelectedTag(tag, version));
            }
        }

        // Build metadata does not count for precedence; the tag name breaks ties so the order is total.
        result.Sort((a, b) =>
        {
            var byPrecedence = a.Version.ComparePrecedenceTo(b.Version);
            return byPrecedence != 0 ? byPrecedence : string.CompareOrdinal(a.Tag, b.Tag);
        });
        return result;
    }

    private static List<SelectedTag> Nearest(IReadOnlyList<SelectedTag> sorted, SemVersion version)
    {
        var below = sorted.Where(t => t.Version.ComparePrecedenceTo(version) < 0).TakeLast(NearestCount);
        var above = sorted.Where(t => t.Version.ComparePrecedenceTo(version) > 0).Take(NearestCount);
        return below.Concat(above).ToList();
    }

    private static string Describe(IReadOnlyList<SelectedTag> versions, string prefix) => versions.Count == 0
        ? $"The repository has no tags of the form '{prefix}X.Y.Z'."
        : $"Release tags present: {string.Join(", ", versions.TakeLast(NearestCount * 2).Select(t => t.Tag))}.";
}
