using Spectre.Console;

namespace Gantry.Cli.Running;

/// <summary>
/// Runs a piece of work (executing a run) while a terminal shows the observer's step tree, redrawn
/// in place a few times a second and left on screen at the end. Other modes just run the work.
/// </summary>
internal static class LiveRunDisplay
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(150);

    /// <summary>Whether this console can redraw in place: a terminal that is not redirected and understands ANSI.</summary>
    public static bool Supported(IAnsiConsole console) =>
        console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;

    public static async Task<T> ShowAsync<T>(IAnsiConsole console, RunProgressObserver observer, TimeProvider time, Func<Task<T>> work)
    {
        if (observer.Mode != ProgressMode.Live)
        {
            return await work().ConfigureAwait(false);
        }

        return await console.Live(observer.Render())
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async display =>
            {
                var running = work();
                var drawing = true;
                while (!running.IsCompleted)
                {
                    drawing = drawing && TryDraw(display, observer);
                    await Task.WhenAny(running, Task.Delay(Refresh, time)).ConfigureAwait(false);
                }

                TryDraw(display, observer);
                return await running.ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>Progress display never fails a run: if drawing throws, the run goes on undrawn.</summary>
    private static bool TryDraw(LiveDisplayContext display, RunProgressObserver observer)
    {
        try
        {
            display.UpdateTarget(observer.Render());
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            return false;
        }
    }
}
