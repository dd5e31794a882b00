using System.Diagnostics;

namespace Gantry.Testing.Fleet;

/// <summary>
/// The one way tests wait for something that happens on its own: poll a condition until it
/// holds, and fail with what was awaited when the deadline passes, instead of hanging the suite.
/// Every wait has a deadline; give one that only a real bug exceeds on a loaded CI machine.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The pause between two polls unless the caller asks for another (a probe that costs a request or a process asks for more).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(10);

    private static readonly object Reached = new();

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? every = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout, every);

    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? every = null) =>
        TrueAsync(condition, () => Task.FromResult(what), timeout, every);

    /// <inheritdoc cref="ValueAsync{T}(Func{Task{T}}, Func{Task{string}}, TimeSpan?, TimeSpan?)"/>
    public static Task TrueAsync(Func<Task<bool>> condition, Func<Task<string>> what, TimeSpan? timeout = null, TimeSpan? every = null) =>
        ValueAsync(async () => await condition() ? Reached : null, what, timeout, every);

    public static Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null, TimeSpan? every = null)
        where T : class =>
        ValueAsync(probe, () => Task.FromResult(what), timeout, every);

    /// <summary>
    /// Polls <paramref name="probe"/> until it gives a value (not null) and returns that value. When
    /// the deadline passes it fails with <paramref name="what"/>, asked then, so it can tell the
    /// state the wait gave up in (a run's journal, a process's output).
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, Func<Task<string>> what, TimeSpan? timeout = null, TimeSpan? every = null)
        where T : class
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting until {await what()}");
            }

            await Task.Delay(every ?? DefaultInterval);
        }
    }
}
