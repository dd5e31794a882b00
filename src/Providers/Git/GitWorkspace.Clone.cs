namespace Gantry.Providers.Git;

public sealed partial class GitWorkspace
{
    private const string PartialCloneMarker = ".clone-";

    /// <summary>
    /// Clones origin into a folder of its own beside <paramref name="directory"/> and renames it into place, so the
    /// clone's folder holds a whole clone or nothing. Cloned in place, a clone killed half-way (a run cancelled during
    /// its first clone, a worker SIGKILLed with its git) left a repository on a branch yet to be born, and every later
    /// run on the environment failed on it ("You are on a branch yet to be born").
    /// </summary>
    private async Task CloneAsync(string directory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            // What a clone made in place (by an earlier version) left when it was interrupted; git refuses to clone into it.
            DeleteDirectory(directory);
        }

        var parent = Path.GetDirectoryName(directory)!;
        var name = Path.GetFileName(directory);
        Directory.CreateDirectory(parent);

        // Operations on one environment never run at once (the class's contract), so every partial clone of this one
        // is a killed process's, never one in progress.
        foreach (var abandoned in Directory.EnumerateDirectories(parent, $".{name}{PartialCloneMarker}*"))
        {
            DeleteDirectory(abandoned);
        }

        var partial = Path.Combine(parent, $".{name}{PartialCloneMarker}{Guid.NewGuid():N}");
        try
        {
            await _git.RunAsync(parent, ["clone", "--origin", Origin, _options.RepositoryUrl, partial], cancellationToken).ConfigureAwait(false);
            Directory.Move(partial, directory);
        }
        finally
        {
            if (Directory.Exists(partial))
            {
                DeleteDirectory(partial);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="directory"/> holds a clone that got as far as its checkout: HEAD names a commit, directly or
    /// through a branch that exists. Earlier versions cloned in place, and a clone killed before its checkout left HEAD on
    /// a branch yet to be born, which every later run failed on. Read from the files, so a step costs no extra git process.
    /// </summary>
    private static bool IsWholeClone(string directory)
    {
        var head = Path.Combine(directory, ".git", "HEAD");
        if (!File.Exists(head))
        {
            return false;
        }

        var target = File.ReadAllText(head).Trim();
        if (!target.StartsWith("ref: ", StringComparison.Ordinal))
        {
            return true; // detached: a commit
        }

        var reference = target["ref: ".Length..];
        var packed = Path.Combine(directory, ".git", "packed-refs");
        return File.Exists(Path.Combine(directory, ".git", reference))
            || (File.Exists(packed) && File.ReadLines(packed).Any(line => line.EndsWith(" " + reference, StringComparison.Ordinal)));
    }

    /// <summary>
    /// Deletes the lock files a killed git leaves behind (<c>index.lock</c>, <c>config.lock</c>, <c>HEAD.lock</c>, a ref's
    /// <c>.lock</c>), on which every later command of that kind fails with "File exists". Operations on one environment
    /// never run at once, so no lock in its clone belongs to a git still running.
    /// </summary>
    private static void DeleteStaleLocks(string gitDirectory)
    {
        var locks = Directory.EnumerateFiles(gitDirectory, "*.lock", SearchOption.TopDirectoryOnly)
            .Concat(Directory.EnumerateFiles(Path.Combine(gitDirectory, "refs"), "*.lock", SearchOption.AllDirectories));
        foreach (var stale in locks.ToList())
        {
            File.Delete(stale);
        }
    }
}
