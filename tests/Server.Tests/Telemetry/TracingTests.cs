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
        // The exporter adds from the threads that end spans, also other tests' servers' (sources are
        // process-wide), while this test reads: a plain List threw "Collection was modified" in a CI run.
        var exported = new SynchronizedCollection<Activity>();
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
        var snapshot = exported.Snapshot();

        // Sources are process-wide: servers of tests running alongside add their own spans.
        gantrySpans = snapshot.Where(a => a.Source.Name == GantryTelemetry.SourceName && runId.Equals(a.GetTagItem("gantry.run.id"))).ToList();
        start = Assert.Single(snapshot, a => a.Source.Name != GantryTelemetry.SourceName && "/api/workflows/two-steps/runs".Equals(a.GetTagItem("url.path")));

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

/// <summary>A collection the in-memory exporter can add to from any thread while a test takes snapshots of it.</summary>
internal sealed class SynchronizedCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public List<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        lock (_lock)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_lock)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_lock)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_lock)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
