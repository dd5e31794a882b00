using System.Text.RegularExpressions;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Whether a host's answer (a health page, a version command's output) names a release: the tag as
/// a whole word, or its version without the leading <c>v</c> (apps report <c>3.0.1</c> for
/// <c>v3.0.1</c>), or, for a commit deploy, the short commit or a full commit starting with it.
/// A whole word, so <c>3.0.1</c> is not found in <c>3.0.10</c>.
/// </summary>
internal static partial class ReleaseAnswer
{
    public static bool Names(string answer, string release) =>
        Spellings(release).Any(spelling => Word(spelling, IsShortCommit(release)).IsMatch(answer));

    /// <summary>How messages say what was looked for, e.g. <c>v3.0.1 (or 3.0.1)</c>.</summary>
    public static string Describe(string release)
    {
        var spellings = Spellings(release).ToList();
        return spellings.Count == 1 ? spellings[0] : $"{spellings[0]} (or {spellings[1]})";
    }

    /// <summary>The first line of an answer, shortened, to show what the host serves instead.</summary>
    public static string Excerpt(string answer)
    {
        var line = answer.Trim().Split('\n', 2)[0].Trim();
        return line.Length == 0 ? "nothing" : line.Length > 80 ? $"'{line[..80]}…'" : $"'{line}'";
    }

    private static IEnumerable<string> Spellings(string release)
    {
        yield return release;
        if (VersionTag().IsMatch(release))
        {
            yield return release[1..];
        }
    }

    private static Regex Word(string spelling, bool commitPrefix) =>
        new(
            $"(?<![A-Za-z0-9._+-]){Regex.Escape(spelling)}{(commitPrefix ? "[0-9a-f]*" : "")}(?![A-Za-z0-9_+-]|\\.[A-Za-z0-9])",
            RegexOptions.CultureInvariant);

    private static bool IsShortCommit(string release) => ShortCommit().IsMatch(release);

    [GeneratedRegex("^[vV][0-9]+(\\.[0-9]+)*")]
    private static partial Regex VersionTag();

    [GeneratedRegex("^[0-9a-f]{7,40}$")]
    private static partial Regex ShortCommit();
}
