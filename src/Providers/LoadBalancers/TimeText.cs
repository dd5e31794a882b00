using System.Globalization;

namespace Gantry.Providers.LoadBalancers;

/// <summary>Durations as people write them in configuration: <c>300ms</c>, <c>5s</c>, <c>1.5s</c>.</summary>
internal static class TimeText
{
    public static string Format(TimeSpan value) =>
        value < TimeSpan.FromSeconds(1)
            ? $"{(long)value.TotalMilliseconds}ms"
            : $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
}
