using System.Text.Json;

namespace Gantry.Cli.Tests.Commands;

/// <summary><c>gantry schedules</c> over a workspace with a weekday schedule in Amsterdam.</summary>
public sealed class SchedulesCommandTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void Schedules_Json_ListsTheNextWeekdayTicksAt10InTheirTimeZone()
    {
        _workspace.Write("workflows/daily.yaml", """
            id: daily
            on:
              schedule: { cron: "0 10 * * 1-5", timezone: Europe/Amsterdam, environment: prod, missed: skip }
            steps:
              - uses: log
                with: { message: hi }
            """);

        var result = CliTestApp.Run("schedules", "--workspace", _workspace.Root, "--output", "json", "--count", "5");

        Assert.Equal(0, result.ExitCode);
        var schedule = Assert.Single(JsonDocument.Parse(result.Output).RootElement.GetProperty("schedules").EnumerateArray());
        Assert.Equal(("daily", "0 10 * * 1-5", "Europe/Amsterdam", "prod", "skip"), (schedule.GetProperty("workflow").GetString(), schedule.GetProperty("cron").GetString(), schedule.GetProperty("timezone").GetString(), schedule.GetProperty("environment").GetString(), schedule.GetProperty("missed").GetString()));
        var next = schedule.GetProperty("next").EnumerateArray().Select(t => t.GetDateTimeOffset()).ToList();
        Assert.Equal(5, next.Count);
        Assert.All(next, t => Assert.True(t > DateTimeOffset.UtcNow && t.Hour == 10 && t.Minute == 0 && t.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday), t.ToString("O")));
        Assert.Equal(next.Order(), next);
    }
}
