using Gantry.Providers.Git;

namespace Gantry.Testing.Fleet;

/// <summary>A pull request merged on a real bare origin, the way GitHub merges it: the merged head and the commit the merge left on the branch.</summary>
public sealed record OriginMerge(string MergeCommit, string HeadCommit);

/// <summary>
/// The developer and the teammate on any bare origin (the sandbox's too): fix-the-bug is branched off
/// the target, fixed and pushed, then merged into the target with a merge commit (GitHub's "Create a
/// merge commit") or squashed into one commit ("Squash and merge"), and the target pushed.
/// </summary>
public static class OriginMerges
{
    private static readonly GitCommandRunner Git = new(new GitRunnerOptions
    {
        Environment = new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = "Teammate", ["GIT_AUTHOR_EMAIL"] = "teammate@gantry.invalid",
            ["GIT_COMMITTER_NAME"] = "Teammate", ["GIT_COMMITTER_EMAIL"] = "teammate@gantry.invalid",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
        },
    });

    public static Task<OriginMerge> MergeFixAsync(string origin, string target) => FixAsync(origin, target, squash: false);

    public static Task<OriginMerge> SquashFixAsync(string origin, string target) => FixAsync(origin, target, squash: true);

    /// <summary>Pushes fix-the-bug off <paramref name="target"/> without merging it: a head whose changes are not in the target.</summary>
    public static async Task<string> PushUnmergedFixAsync(string origin, string target)
    {
        var clone = await CloneAsync(origin);
        try
        {
            return await CommitFixAsync(clone, target);
        }
        finally
        {
            Delete(clone);
        }
    }

    private static async Task<OriginMerge> FixAsync(string origin, string target, bool squash)
    {
        var clone = await CloneAsync(origin);
        try
        {
            var head = await CommitFixAsync(clone, target);
            await RunAsync(clone, "checkout", "-q", "-B", target, $"origin/{target}");
            if (squash)
            {
                await RunAsync(clone, "merge", "-q", "--squash", "fix-the-bug");
                await RunAsync(clone, "commit", "-q", "-m", "Fix the bug (#42)");
            }
            else
            {
                await RunAsync(clone, "merge", "-q", "--no-ff", "-m", "Merge pull request #42 from team/fix-the-bug", "fix-the-bug");
            }

            await RunAsync(clone, "push", "-q", "origin", target);
            return new OriginMerge((await RunAsync(clone, "rev-parse", "HEAD")).Trim(), head);
        }
        finally
        {
            Delete(clone);
        }
    }

    private static async Task<string> CloneAsync(string origin)
    {
        var clone = Path.Combine(Path.GetTempPath(), $"gantry-pr-{Guid.NewGuid():N}");
        await Git.RunAsync(Path.GetTempPath(), ["clone", "-q", origin, clone], CancellationToken.None);
        return clone;
    }

    private static async Task<string> CommitFixAsync(string clone, string target)
    {
        await RunAsync(clone, "checkout", "-q", "-B", "fix-the-bug", $"origin/{target}");
        var file = Path.Combine(clone, "opensky", "app", "fix.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, "the bug is fixed\n");
        await RunAsync(clone, "add", "--all");
        await RunAsync(clone, "commit", "-q", "-m", "Fix the bug");
        await RunAsync(clone, "push", "-q", "--force", "origin", "fix-the-bug");
        return (await RunAsync(clone, "rev-parse", "HEAD")).Trim();
    }

    private static async Task<string> RunAsync(string directory, params string[] arguments) =>
        (await Git.RunAsync(directory, arguments, CancellationToken.None)).StandardOutput;

    private static void Delete(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(folder, recursive: true);
    }
}
