using System.Collections.Concurrent;
using Gantry.Providers.Ssh;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Ssh;

[Collection(SshFleetCollection.Name)]
public sealed class SshHostConnectionTests(SshFleetFixture fleet)
{
    [Fact]
    public async Task RunAsync_Echo_ReturnsOutputAndReportsEachLineTaggedWithHost()
    {
        var lines = new ConcurrentQueue<SshOutputLine>();
        using var pool = new SshConnectionPool(fleet.Options(lines.Enqueue));
        var web2 = await pool.GetAsync(fleet.Hosts[1], CancellationToken.None);

        var result = await web2.RunAsync("echo one; echo two >&2; echo three", CancellationToken.None);

        Assert.Equal(new CommandResult("web2", "echo one; echo two >&2; echo three", 0, "one\nthree\n", "two\n"), result);
        Assert.Equal(
            [new("web2", SshStream.StandardOutput, "one"), new("web2", SshStream.StandardOutput, "three")],
            lines.Where(l => l.Stream == SshStream.StandardOutput));
        Assert.Equal([new SshOutputLine("web2", SshStream.StandardError, "two")], lines.Where(l => l.Stream == SshStream.StandardError));
    }
}
