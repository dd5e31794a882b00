using System.Text;
using Gantry.Providers.Processes;
using Gantry.Providers.Ssh;
using Microsoft.Extensions.Logging;

namespace Gantry.Providers.Git;

/// <summary>How <see cref="GitCommandRunner"/> starts git.</summary>
public sealed record GitRunnerOptions
{
    /// <summary>The git executable. <value>The default value is <c>git</c> (found on PATH).</value></summary>
    public string GitExecutable { get; init; } = "git";

    /// <summary>
    /// Private key used for SSH remotes; sets <c>GIT_SSH_COMMAND</c>.
    /// <value>The default value is <see langword="null"/>: ssh's own configuration applies.</value>
    /// </summary>
    public string? SshKeyPath { get; init; }

    /// <summary>
    /// known_hosts file checked strictly when <see cref="SshKeyPath"/> is set.
    /// <value>The default value is <see langword="null"/>: ssh's default known_hosts.</value>
    /// </summary>
    public string? SshKnownHostsPath { get; init; }

    /// <summary>Extra environment variables for every git process (they win over the defaults).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Values masked as <c>***</c> wherever a command line or git output is reported.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>
    /// The most characters read from each of git's streams; more is an error. Far above any listing Gantry asks git for
    /// (refs, logs of a release range), far below this machine's memory. Tests lower it to exceed it fast.
    /// </summary>
    internal int OutputLimit { get; init; } = 64 * 1024 * 1024;
}

/// <summary>What a finished git process returned.</summary>
/// <param name="ExitCode">Process exit code; 0 is success.</param>
/// <param name="StandardOutput">Everything git wrote to stdout.</param>
/// <param name="StandardError">Everything git wrote to stderr.</param>
public sealed record GitResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs the <c>git</c> CLI: arguments as an argv list (never through a shell), stdout and stderr
/// read asynchronously, no prompts (<c>GIT_TERMINAL_PROMPT=0</c>, stdin closed), English messages
/// (<c>LC_ALL=C</c>). Cancelling the token kills git and its children (<see cref="LocalProcessRunner"/>).
/// </summary>
public sealed class GitCommandRunner
{
    private const int StandardErrorTailLines = 20;

    private readonly GitRunnerOptions _options;
    private readonly ILogger? _logger;

    /// <summary>Creates a runner.</summary>
    public GitCommandRunner(GitRunnerOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new GitRunnerOptions();
        _logger = logger;
        Masker = new GitOutputMasker(_options.Secrets);
    }

    internal GitOutputMasker Masker { get; }

    /// <summary>Runs git and throws <see cref="GitException"/> when it exits with a non-zero code.</summary>
    public async Task<GitResult> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await TryRunAsync(workingDirectory, arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw CommandFailed(arguments, result);
        }

        return result;
    }

    /// <summary>Runs git and returns its result whatever the exit code (for commands whose exit code is an answer).</summary>
    public async Task<GitResult> TryRunAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);

        if (_logger?.IsEnabled(LogLevel.Debug) == true)
        {
            _logger.LogDebug("Running {CommandLine} in {WorkingDirectory}", FormatCommandLine(arguments), workingDirectory);
        }

        var command = new LocalProcess([_options.GitExecutable, .. arguments])
        {
            WorkingDirectory = workingDirectory,
            Environment = ProcessEnvironment(),
            OutputLimit = _options.OutputLimit,
            Mask = Masker.Mask,
        };
        LocalProcessResult result;
        try
        {
            result = await LocalProcessRunner.RunAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (LocalProcessStartException ex)
        {
            throw new GitException(
                $"Could not start '{_options.GitExecutable}' in {workingDirectory}: {ex.Reason}. Install git (Debian package 'git') or set "
                + "GitExecutable.",
                ex);
        }

        // Git's output is parsed: a tail would be read as the whole answer, so too much is an error.
        return result.Truncated
            ? throw new GitException(
                $"{FormatCommandLine(arguments)} in {workingDirectory} wrote more than {Size(_options.OutputLimit)} (exit code {result.ExitCode}); "
                + "Gantry reads at most that much from git.")
            : new GitResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    private static string Size(int characters) =>
        characters % (1024 * 1024) == 0 ? $"{characters / (1024 * 1024)} MiB" : $"{characters} characters";

    /// <summary>The command line as it would be typed, credentials masked.</summary>
    internal string FormatCommandLine(IReadOnlyList<string> arguments)
    {
        var builder = new StringBuilder("git");
        foreach (var argument in arguments)
        {
            builder.Append(' ');
            builder.Append(argument.Length == 0 || argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'')
                ? "\"" + argument.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
                : argument);
        }

        return Masker.Mask(builder.ToString());
    }

    /// <summary>The exception for a failed command: command line, exit code, stderr tail, all masked.</summary>
    internal GitException CommandFailed(IReadOnlyList<string> arguments, GitResult result, string? hint = null)
    {
        var commandLine = FormatCommandLine(arguments);
        var tail = Tail(Masker.Mask(result.StandardError));
        var message = $"{commandLine} failed with exit code {result.ExitCode}"
            + (tail.Length == 0 ? "." : $":{Environment.NewLine}{tail}")
            + (hint is null ? string.Empty : Environment.NewLine + hint);
        return new GitException(message, commandLine, result.ExitCode, tail);
    }

    internal static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(Environment.NewLine, lines.TakeLast(StandardErrorTailLines));
    }

    /// <summary>No prompts, English messages, the SSH key when one is set; the options' own variables win.</summary>
    private List<KeyValuePair<string, string>> ProcessEnvironment()
    {
        List<KeyValuePair<string, string>> environment =
        [
            new("GIT_TERMINAL_PROMPT", "0"),
            new("GCM_INTERACTIVE", "never"),
            new("GIT_MERGE_AUTOEDIT", "no"),
            new("LC_ALL", "C"),
            new("LANGUAGE", "C"),
        ];
        if (!string.IsNullOrEmpty(_options.SshKeyPath))
        {
            environment.Add(new("GIT_SSH_COMMAND", BuildSshCommand(_options.SshKeyPath, _options.SshKnownHostsPath)));
        }

        environment.AddRange(_options.Environment);
        return environment;
    }

    /// <summary>
    /// GIT_SSH_COMMAND is parsed by a shell, so each path is single-quoted. Strict host-key
    /// checking and BatchMode: an unknown host or a passphrase fails instead of prompting.
    /// </summary>
    internal static string BuildSshCommand(string keyPath, string? knownHostsPath)
    {
        var command = $"ssh -i {PosixShell.Quote(keyPath)} -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o BatchMode=yes";
        return string.IsNullOrEmpty(knownHostsPath) ? command : $"{command} -o UserKnownHostsFile={PosixShell.Quote(knownHostsPath)}";
    }
}
