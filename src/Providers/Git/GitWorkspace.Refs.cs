using System.Text.RegularExpressions;

namespace Gantry.Providers.Git;

/// <summary>What a ref given to a deploy names on origin.</summary>
public enum GitRefKind
{
    /// <summary>A tag: the release is named after the tag.</summary>
    Tag,

    /// <summary>A branch: its tip now; the release is named after the short commit.</summary>
    Branch,

    /// <summary>A full commit SHA: the release is named after the short commit.</summary>
    Commit,
}

/// <summary>A tag, branch or commit resolved on origin.</summary>
/// <param name="Ref">The ref as given.</param>
/// <param name="Kind">What it named.</param>
/// <param name="Commit">The full SHA it points to now (annotated tags peeled).</param>
/// <param name="Release">The release folder name: the tag, or the short commit.</param>
public sealed record ResolvedRef(string Ref, GitRefKind Kind, string Commit, string Release)
{
    /// <summary>Length of the short commit that names a release deployed from a branch or commit.</summary>
    public const int ShortCommitLength = 7;
}

/// <summary>Resolving a deploy's ref on origin.</summary>
public sealed partial class GitWorkspace
{
    /// <summary>
    /// Resolves <paramref name="reference"/> on origin with <c>ls-remote</c>: a tag wins over a branch
    /// of the same name; a full 40-character SHA is taken as a commit (the hosts fetch it by SHA).
    /// </summary>
    /// <exception cref="GitException">origin has no such tag or branch and it is not a full SHA.</exception>
    public async Task<ResolvedRef> ResolveRefAsync(string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var name = reference.Trim();
        var workingDirectory = Directory.Exists(WorkingDirectory) ? WorkingDirectory : Path.GetTempPath();
        var result = await _git.RunAsync(
                workingDirectory,
                ["ls-remote", _options.RepositoryUrl, $"refs/tags/{name}", $"refs/tags/{name}^{{}}", $"refs/heads/{name}"],
                cancellationToken)
            .ConfigureAwait(false);
        var refs = result
            .StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[1], parts => parts[0], StringComparer.Ordinal);
        if (refs.TryGetValue($"refs/tags/{name}^{{}}", out var peeled) || refs.TryGetValue($"refs/tags/{name}", out peeled))
        {
            return new ResolvedRef(name, GitRefKind.Tag, peeled, name);
        }

        if (refs.TryGetValue($"refs/heads/{name}", out var tip))
        {
            return new ResolvedRef(name, GitRefKind.Branch, tip, tip[..ResolvedRef.ShortCommitLength]);
        }

        if (FullSha().IsMatch(name))
        {
            var commit = name.ToLowerInvariant();
            return new ResolvedRef(name, GitRefKind.Commit, commit, commit[..ResolvedRef.ShortCommitLength]);
        }

        var hint = ShortSha().IsMatch(name) ? "; a commit must be given as its full 40-character SHA" : "";
        throw new GitException($"'{name}' is not a tag or branch on origin {_options.RepositoryUrl}{hint}");
    }

    [GeneratedRegex("^[0-9a-fA-F]{40}$")]
    private static partial Regex FullSha();

    [GeneratedRegex("^[0-9a-fA-F]{7,39}$")]
    private static partial Regex ShortSha();
}
