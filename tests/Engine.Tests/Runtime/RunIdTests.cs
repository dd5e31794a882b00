using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// A run id is the second it was made and a random part. Bursts start many runs in one second (1,000
/// HTTP starts from 16 clients take about 2 s on an idle machine, webhooks, a schedule catching up):
/// with a 24-bit random part a burst of 500 collided once in about 130 seconds of such bursts, and the
/// colliding start failed with "run … already exists".
/// </summary>
public sealed class RunIdTests
{
    [Fact]
    public async Task Start_TenThousandRunsWithinOneSecond_EachGetsItsOwnId()
    {
        var second = new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
        var harness = new EngineHarness(new FakeTimeProvider(second));
        var ids = new HashSet<string>(StringComparer.Ordinal);

        // 10,000 ids within one second: a 24-bit random part collides with a probability of 95 %, a 48-bit one of 2e-7.
        for (var i = 0; i < 10_000; i++)
        {
            var run = await harness.StartAsync(OneExecutionTests.TwoSteps);
            Assert.True(ids.Add(run.Id), $"start #{i} got {run.Id}, an id an earlier start of the same second already had");
        }

        Assert.All(ids, id => Assert.StartsWith("20261207-080000-", id, StringComparison.Ordinal));
    }
}
