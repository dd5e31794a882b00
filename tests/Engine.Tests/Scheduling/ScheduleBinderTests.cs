using Gantry.Engine.Loading;
using Gantry.Engine.Model;

namespace Gantry.Engine.Tests.Scheduling;

/// <summary>on.schedule as written: one mapping or a list; bad values are located errors with their field path.</summary>
public sealed class ScheduleBinderTests
{
    private const string Header = """
        id: daily
        inputs:
          version: { type: string, default: "" }
        on:

        """;

    private const string Steps = "steps:\n  - uses: log\n    with: { message: hi }\n";

    [Fact]
    public void Bind_ListOfSchedules_ReadsEachWithDefaults()
    {
        var workflow = DocumentLoader.LoadWorkflow(Header + """
              schedule:
                - { cron: "0 10 * * 1-5", timezone: Europe/Amsterdam, environment: prod, inputs: { version: "" }, missed: skip }
                - { cron: "*/15 * * * *", environment: testing }

            """ + Steps, "daily.yaml").GetOrThrow();

        Assert.Collection(
            workflow.Schedules,
            s => Assert.Equal((0, "0 10 * * 1-5", "Europe/Amsterdam", "prod", MissedTickPolicy.Skip, "schedule:0 10 * * 1-5"), (s.Index, s.Cron, s.TimeZone.Id, s.Environment, s.Missed, s.Trigger)),
            s => Assert.Equal((1, "*/15 * * * *", "UTC", "testing", MissedTickPolicy.RunOnce), (s.Index, s.Cron, s.TimeZone.Id, s.Environment, s.Missed)));
        Assert.Empty(workflow.Triggers);
    }

    [Theory]
    [InlineData("{ cron: \"0 25 * * *\", environment: prod }", "daily.yaml:5:21 on.schedule.cron: invalid cron expression '0 25 * * *'")]
    [InlineData("{ cron: \"0 10 * *\", environment: prod }", "daily.yaml:5:21 on.schedule.cron: invalid cron expression '0 10 * *'")]
    [InlineData("{ cron: \"0 10 * * 1-5\", timezone: Europe/Amsterdm }", "daily.yaml:5:47 on.schedule.timezone: unknown time zone 'Europe/Amsterdm'; expected an IANA name such as Europe/Amsterdam or UTC")]
    [InlineData("{ cron: \"0 10 * * 1-5\", missed: always }", "daily.yaml:5:45 on.schedule.missed: unknown missed value 'always'; expected run-once (start the newest missed tick once when a node comes back) or skip")]
    [InlineData("{ cron: \"0 10 * * 1-5\", inputs: { verison: 3.1.0 } }", "daily.yaml:5:47 on.schedule.inputs.verison: unknown input 'verison' (did you mean 'version'?); declared inputs: version")]
    [InlineData("{ cron: \"0 10 * * 1-5\", zone: UTC }", "daily.yaml:5:37 on.schedule.zone: unknown field 'zone'; expected one of: cron, timezone, environment, inputs, missed")]
    [InlineData("{ timezone: UTC }", "daily.yaml:5:13 on.schedule.cron: missing cron expression")]
    public void Bind_BadSchedule_IsALocatedError(string schedule, string expected)
    {
        var loaded = DocumentLoader.LoadWorkflow(Header + $"  schedule: {schedule}\n" + Steps, "daily.yaml");

        var error = string.Join("\n", loaded.Diagnostics);
        Assert.Equal(expected, error[..Math.Min(expected.Length, error.Length)]);
    }

    [Fact]
    public void Bind_BadEntryOfAList_NamesItsIndex()
    {
        var loaded = DocumentLoader.LoadWorkflow(Header + "  schedule:\n    - { cron: \"0 10 * * 1-5\" }\n    - { cron: \"61 * * * *\" }\n" + Steps, "daily.yaml");

        var error = string.Join("\n", loaded.Diagnostics);
        Assert.Equal("daily.yaml:7:15 on.schedule[1].cron: invalid cron expression '61 * * * *'", error[..Math.Min(73, error.Length)]);
    }
}
