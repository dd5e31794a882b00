namespace Gantry.Providers.Git;

/// <summary>
/// A git operation failed. The message names the command line (credentials masked), the exit
/// code and the tail of git's error output, and says what to do next where that is known.
/// </summary>
public class GitException : Exception
{
    /// <summary>Creates an exception with a message only (no command was involved).</summary>
    public GitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the failure that caused it.</summary>
    public GitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal GitException(string message, string? commandLine, int? exitCode, string? standardErrorTail)
        : base(message)
    {
        CommandLine = commandLine;
        ExitCode = exitCode;
        StandardErrorTail = standardErrorTail;
    }

    /// <summary>The failing command line with credentials masked, or <see langword="null"/>.</summary>
    public string? CommandLine { get; }

    /// <summary>The exit code of the failing command, or <see langword="null"/>.</summary>
    public int? ExitCode { get; }

    /// <summary>The last lines of git's error output (masked), or <see langword="null"/>.</summary>
    public string? StandardErrorTail { get; }
}

/// <summary>A merge stopped on conflicts; it was aborted and the clone left clean.</summary>
public sealed class GitMergeConflictException : GitException
{
    internal GitMergeConflictException(string message, string source, string target, IReadOnlyList<string> conflictingPaths)
        : base(message)
    {
        SourceRef = source;
        TargetBranch = target;
        ConflictingPaths = conflictingPaths;
    }

    /// <summary>The branch or tag that was being merged.</summary>
    public string SourceRef { get; }

    /// <summary>The branch it was being merged into.</summary>
    public string TargetBranch { get; }

    /// <summary>Paths git reported as conflicting, relative to the repository root.</summary>
    public IReadOnlyList<string> ConflictingPaths { get; }
}

/// <summary>Origin refused a push because the branch moved there since the clone was fetched.</summary>
public sealed class GitPushRejectedException : GitException
{
    internal GitPushRejectedException(string message, string branch, string? commandLine, int? exitCode, string? standardErrorTail)
        : base(message, commandLine, exitCode, standardErrorTail)
    {
        Branch = branch;
    }

    /// <summary>The branch origin refused to update.</summary>
    public string Branch { get; }
}
