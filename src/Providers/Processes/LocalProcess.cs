namespace Gantry.Providers.Processes;

/// <summary>A program to start on this machine: an argument list (program first), never a shell line.</summary>
/// <param name="Argv">The program and its arguments, passed to it as they are (no quoting, no globbing).</param>
internal sealed record LocalProcess(IReadOnlyList<string> Argv)
{
    /// <summary>How many characters of each stream a result keeps (the tail, cut at a line start).</summary>
    public const int DefaultOutputLimit = 1024 * 1024;

    /// <summary>Folder to run in; the current directory when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment variables set for the process, in order (a later entry wins).</summary>
    public IEnumerable<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>
    /// How many characters of stdout and of stderr the result keeps: the last ones, cut at a line
    /// start, so a chatty process cannot fill this machine's memory.
    /// </summary>
    public int OutputLimit { get; init; } = DefaultOutputLimit;

    /// <summary>Called with each stdout line as it arrives (line ends removed), e.g. to stream it to a journal.</summary>
    public Action<string>? OnOutputLine { get; init; }

    /// <summary>Called with each stderr line as it arrives (line ends removed).</summary>
    public Action<string>? OnErrorLine { get; init; }

    /// <summary>Hides secrets in the messages the runner writes itself (a program that cannot start).</summary>
    public Func<string, string> Mask { get; init; } = static text => text;
}

/// <summary>How a local process ended.</summary>
/// <param name="ExitCode">The exit code; 0 is success.</param>
/// <param name="StandardOutput">Stdout as written (its last <see cref="LocalProcess.OutputLimit"/> characters when longer).</param>
/// <param name="StandardError">Stderr as written (its last <see cref="LocalProcess.OutputLimit"/> characters when longer).</param>
/// <param name="Truncated">True when either stream was longer than the limit and only its tail is kept.</param>
internal sealed record LocalProcessResult(int ExitCode, string StandardOutput, string StandardError, bool Truncated = false);

/// <summary>A local program could not be started (not found, not executable, bad working folder).</summary>
internal sealed class LocalProcessStartException(string program, string reason, Exception inner)
    : Exception($"'{program}' could not be started: {reason}", inner)
{
    /// <summary>The program as named in the argument list (masked).</summary>
    public string Program { get; } = program;

    /// <summary>Why the operating system refused (masked), e.g. "No such file or directory".</summary>
    public string Reason { get; } = reason;
}
