using System.Globalization;

namespace Gantry.Providers.Deploy;

/// <summary>
/// One line of a host's <c>revisions.log</c>: every switch of <c>current</c> appends
/// <c>time action release previous run commit</c>, tab-separated (lines written before the commit
/// column existed have five fields).
/// </summary>
/// <param name="Time">When current was switched (UTC).</param>
/// <param name="Action"><c>deploy</c> or <c>rollback</c>.</param>
/// <param name="Release">The release current was switched to.</param>
/// <param name="Previous">The release current was switched from, or null.</param>
/// <param name="Run">The run (or CLI session) that switched it.</param>
/// <param name="Commit">The release's short commit, or null when unknown (an archive deploy).</param>
public sealed record Revision(DateTimeOffset? Time, string Action, string Release, string? Previous, string? Run, string? Commit)
{
    /// <summary>Formats a line as revisions.log holds it.</summary>
    public static string Format(DateTimeOffset time, string action, string release, string? previous, string run, string? commit) =>
        string.Join(
            '\t',
            time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            action,
            release,
            previous ?? "-",
            run,
            commit ?? "-");

    /// <summary>Reads a line; null for a line that is not a revision (hand-written, truncated).</summary>
    public static Revision? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.TrimEnd('\r').Split('\t');
        if (fields.Length < 3 || fields[2].Length == 0)
        {
            return null;
        }

        DateTimeOffset? time = DateTimeOffset.TryParse(
            fields[0],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var parsed)
            ? parsed
            : null;
        return new Revision(time, fields[1], fields[2], Field(fields, 3), Field(fields, 4), Field(fields, 5));
    }

    private static string? Field(string[] fields, int index) =>
        index < fields.Length && fields[index] is { Length: > 0 } value && value != "-" ? value : null;
}
