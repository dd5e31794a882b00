using Gantry.Engine.Activities;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;
using Gantry.Providers.Deploy;

namespace Gantry.Providers.Ssh;

/// <summary>
/// Runs one command per host over SSH, a few hosts at a time, and collects each host's result; a
/// host that fails does not stop the others. It uses the run's connections (one per host for every
/// step of the run).
/// </summary>
internal sealed class SshCommandFanOut(SshRunConnections connections)
{
    private const int StdoutTailChars = 64 * 1024;
    private const int StderrTailLines = 20;

    public async Task<List<HostCommandResult>> RunAsync(
        ActivityContext context, EnvironmentDefinition environment, IReadOnlyList<string> hosts, IReadOnlyDictionary<string, string> commands,
        int maxParallel, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var masker = context.Secrets.Masker;
        using var borrowed = connections.Borrow(context.RunId, environment.Id, context.Log, output =>
            SshEnvironment.Options(environment, context.Secrets.Get, masker.Apply, output));
        var pool = borrowed.Pool;
        var results = new HostCommandResult[hosts.Count];
        var done = 0;
        var failed = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, hosts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = maxParallel > 0 ? maxParallel : hosts.Count, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var name = hosts[index];
                var command = commands[name];
                var result = await RunOneAsync(pool, environment, name, command, timeout, masker.Apply, token).ConfigureAwait(false);
                results[index] = result;
                if (result.Succeeded)
                {
                    context.Log.Info($"exit 0: {result.Command}", name);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    context.Log.Warn(result.Describe(), name);
                }

                context.Log.Progress(Interlocked.Increment(ref done), hosts.Count, Volatile.Read(ref failed));
            }).ConfigureAwait(false);
        return [.. results];
    }

    private static async Task<HostCommandResult> RunOneAsync(
        SshConnectionPool pool,
        EnvironmentDefinition environment,
        string name,
        string command,
        TimeSpan? timeout,
        Func<string, string> mask,
        CancellationToken cancellationToken)
    {
        try
        {
            var connection = await pool.GetAsync(SshEnvironment.Host(environment, name, environment.Hosts[name]), cancellationToken)
                .ConfigureAwait(false);
            var result = await connection
                .ExecuteAsync(command, new RemoteCommandOptions { Timeout = timeout }, cancellationToken)
                .ConfigureAwait(false);
            return new HostCommandResult(
                name,
                result.Command,
                result.ExitCode,
                StdoutTail(result.StandardOutput),
                StderrTail(result.StandardError),
                null);
        }
        catch (RemoteCommandTimeoutException)
        {
            return new HostCommandResult(
                name,
                mask(command),
                -1,
                "",
                "",
                $"timed out after {Duration.Format(timeout ?? environment.Ssh.CommandTimeout)}");
        }
        catch (Exception ex) when (ex is SshHostException or IOException or ArgumentException)
        {
            return new HostCommandResult(name, mask(command), -1, "", "", "could not run: " + mask(ex.Message));
        }
    }

    private static string StdoutTail(string text)
    {
        text = text.TrimEnd('\n');
        if (text.Length <= StdoutTailChars)
        {
            return text;
        }

        var cut = text.Length - StdoutTailChars;
        var newline = text.IndexOf('\n', cut);
        return newline >= 0 && newline < text.Length - 1 ? text[(newline + 1)..] : text[cut..];
    }

    private static string StderrTail(string text) =>
        string.Join("\n", text.TrimEnd('\n').Split('\n').TakeLast(StderrTailLines));
}

/// <summary>One host's result of a fanned-out command.</summary>
/// <param name="Command">The command as shown (masked).</param>
/// <param name="Error">Why the command could not run or finish (connection, host key, timeout), else null.</param>
internal sealed record HostCommandResult(string Host, string Command, int ExitCode, string Stdout, string Stderr, string? Error)
{
    public bool Succeeded => Error is null && ExitCode == 0;

    /// <summary><c>web2: `cat /nope` exited with code 1; stderr: cat: /nope: No such file or directory</c>.</summary>
    public string Describe() => Error is not null
        ? $"{Host}: `{Command}` {Error}"
        : $"{Host}: `{Command}` exited with code {ExitCode}" + (Stderr.Length == 0 ? "" : $"; stderr: {Stderr}");
}
