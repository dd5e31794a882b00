using System.Diagnostics;
using System.Globalization;
using Gantry.Providers.Ssh;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Ssh;

/// <summary>
/// SSH.NET opens a command's channel synchronously, waiting for sshd. A group deploy starts one
/// command per host at once; when each start held a thread-pool thread until sshd answered, the
/// hosts' scripts started a few at a time and a group's time out of rotation grew with its size.
/// </summary>
[Collection(SshFleetCollection.Name)]
public sealed class SshCommandStartTests(SshFleetFixture fleet)
{
    [Fact]
    public async Task ExecuteAsync_SshdNotAnsweringTheChannelOpen_ReturnsToItsCallerAndFinishesOnceSshdAnswers()
    {
        using var pool = new SshConnectionPool(fleet.Options());
        var before = SshdProcesses();
        var web1 = await pool.GetAsync(fleet.Hosts[0], CancellationToken.None);
        var session = SshdProcesses().Except(before).ToList();
        Assert.NotEmpty(session);

        // Frozen, this connection's sshd processes cannot confirm the channel: the start must not wait for them.
        await SignalAsync(session, "STOP");
        Task<CommandResult> running;
        try
        {
            var returned = new TaskCompletionSource<Task<CommandResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
            var caller = new Thread(() => returned.SetResult(web1.ExecuteAsync("echo started", null, CancellationToken.None))) { IsBackground = true };
            caller.Start();
            running = await returned.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(running.IsCompleted, $"the command ended while sshd was frozen: {running.Status}");
        }
        finally
        {
            await SignalAsync(session, "CONT");
        }

        var result = await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("started\n", 0), (result.StandardOutput, result.ExitCode));
    }

    /// <summary>Every process under the fleet's sshd listeners (one per connection and its privilege-separated child).</summary>
    private HashSet<int> SshdProcesses()
    {
        var parents = new Dictionary<int, int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var pid)
                && TryRead(Path.Combine(folder, "stat")) is { } stat)
            {
                // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        var listeners = Directory.EnumerateFiles(fleet.Root, "sshd.*.pid").Select(f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture)).ToHashSet();
        var found = new HashSet<int>();
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if ((listeners.Contains(parent) || found.Contains(parent)) && found.Add(pid))
                {
                    grew = true;
                }
            }
        }
        while (grew);
        return found;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null; // the process ended while the list was read
        }
    }

    private static async Task SignalAsync(IEnumerable<int> processes, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, .. processes.Select(p => p.ToString(CultureInfo.InvariantCulture))]))!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}
