using System.Globalization;

namespace Gantry.Testing.Fleet;

/// <summary>
/// The CPU time the calling OS thread has used, from Linux's <c>/proc/thread-self/schedstat</c>
/// (nanoseconds on the CPU). Tests that bound the cost of synchronous work (a parser must stay
/// linear on hostile input) measure this rather than the wall clock: on a loaded CI machine the
/// wall clock also counts the time the thread waited for a core, which says nothing about the code.
/// </summary>
public static class ThreadCpuTime
{
    /// <summary>CPU time used by the calling thread so far.</summary>
    public static TimeSpan Now()
    {
        var schedstat = File.ReadAllText("/proc/thread-self/schedstat");
        var onCpuNanoseconds = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture);
        return TimeSpan.FromTicks(onCpuNanoseconds / 100);
    }

    /// <summary>Runs <paramref name="work"/> on the calling thread and returns its result with the CPU time it used.</summary>
    public static (T Result, TimeSpan Cpu) Measure<T>(Func<T> work)
    {
        var before = Now();
        var result = work();
        return (result, Now() - before);
    }
}
