using System.Diagnostics;
using Gantry.Engine.Runtime;
using Gantry.Server.Telemetry;
using Gantry.Server.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Gantry.Server.Tests.Telemetry;

public sealed class TracingTests
{
    private const string TwoSteps = """
        id: two-steps
        steps:
          - id: first
            uses: log
            with: { message: "one" }
          - id: second
            uses: log
            with: { message: "two" }
        """;

    [Fact]
    public async Task RunThroughTheServer_ExportsOneRunSpanWithOneChildSpanPerStep()
    {
        var exported = new List<Activity>();
        var workspace = ServerFixture.CreateWorkspace();
        File.WriteAllText(Path.Combine(workspace, "workflows", "two-steps.yaml"), TwoSteps + "\n");
        await using var server = await ServerFixture.StartAsync(
            workspace: workspace,
            // The server's own tracer provider, with an exporter added: proves the Gantry source is listened to.
            configureServices: services => services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(exported)));

        var runId = await server.StartRunAsync("two-steps", new { });
        await server.WaitForStatusAsync(runId, RunStatus.Succeeded);
        await server.Engine.WhenIdleAsync();

        List<Activity> gantrySpans;
        Activity start;
        lock (exported)
        {
            // Sources are process-wide: servers of tests running alongside add their own spans.
            gantrySpans = exported.Where(a => a.Source.Name == GantryTelemetry.SourceName && runId.Equals(a.GetTagItem("gantry.run.id"))).ToList();
            start = Assert.Single(exported, a => a.Source.Name != GantryTelemetry.SourceName && "/api/workflows/two-steps/runs".Equals(a.GetTagItem("url.path")));
        }

        Assert.Equal("POST /api/workflows/{id}/runs", start.DisplayName);

        var run = Assert.Single(gantrySpans, s => s.DisplayName.StartsWith("run ", StringComparison.Ordinal));
        Assert.Equal("run two-steps", run.DisplayName);
        Assert.Equal(runId, run.GetTagItem("gantry.run.id"));
        Assert.Equal("two-steps", run.GetTagItem("gantry.workflow"));
        Assert.Equal(ActivityStatusCode.Ok, run.Status);
        var steps = gantrySpans.Where(s => s.DisplayName.StartsWith("step ", StringComparison.Ordinal)).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(["step first", "step second"], steps.Select(s => s.DisplayName));
        Assert.All(steps, s =>
        {
            Assert.Equal(run.TraceId, s.TraceId);
            Assert.Equal(run.SpanId, s.ParentSpanId);
            Assert.Equal(runId, s.GetTagItem("gantry.run.id"));
            Assert.Equal("log", s.GetTagItem("gantry.activity"));
            Assert.Equal(ActivityStatusCode.Ok, s.Status);
        });
        Assert.Equal(["first", "second"], steps.Select(s => s.GetTagItem("gantry.step.id")));
        Assert.Equal(3, gantrySpans.Count);
    }
}
