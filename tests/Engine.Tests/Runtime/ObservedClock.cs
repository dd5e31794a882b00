using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also says when a timer has been armed, so a test advances
/// the clock only once the engine (or Polly) is actually waiting on it.
/// </summary>
internal sealed class ObservedClock(DateTimeOffset start) : TimeProvider
{
    private readonly SemaphoreSlim _armed = new(0);

    public FakeTimeProvider Fake { get; } = new(start);

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);

        // Every execution renews its lease on the engine's clock; the tests wait for the engine's other timers.
        if (dueTime != EngineHarness.Lease / 3)
        {
            _armed.Release();
        }

        return timer;
    }

    /// <summary>Waits for the next timer; false if none is armed within a generous real-time guard.</summary>
    public Task<bool> NextTimerAsync() => _armed.WaitAsync(TimeSpan.FromSeconds(30));

    public void Advance(TimeSpan by) => Fake.Advance(by);
}
