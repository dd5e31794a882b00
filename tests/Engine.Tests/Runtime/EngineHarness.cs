using System.Collections.Concurrent;
using System.ComponentModel;
using Gantry.Engine.Activities;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>An engine over the in-memory store with recording test activities.</summary>
internal sealed class EngineHarness
{
    /// <summary>
    /// The harness engine's lease: an hour, so that its heartbeat (every third of it) is a timer the
    /// <see cref="ObservedClock"/> tells apart from the retry and wait timers the tests step through.
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromHours(1);

    /// <param name="configure">Adds to the harness's services before the engine is built (a logger, an observer).</param>
    public EngineHarness(TimeProvider? time = null, Action<IServiceCollection>? configure = null)
    {
        Time = time ?? TimeProvider.System;
        var services = new ServiceCollection()
            .AddSingleton(Calls)
            .AddSingleton(Breakage)
            .AddSingleton(Time)
            .AddGantryEngine(o => o.Lease = Lease)
            .AddActivity<RecordActivity>()
            .AddActivity<FlakyActivity>()
            .AddActivity<SlowActivity>()
            .AddActivity<CollectActivity>()
            .AddActivity<FixableActivity>()
            .AddActivity<LoadBalancerStepActivity>();
        configure?.Invoke(services);
        Services = services.BuildServiceProvider();
        Engine = Services.GetRequiredService<WorkflowEngine>();
        Store = Services.GetRequiredService<IRunStore>();
    }

    public TimeProvider Time { get; }

    public CallLog Calls { get; } = new();

    public Breakage Breakage { get; } = new();

    public IServiceProvider Services { get; }

    public WorkflowEngine Engine { get; }

    public IRunStore Store { get; }

    public static WorkflowDefinition Workflow(string yaml, string file = "test.yaml") =>
        DocumentLoader.LoadWorkflow(yaml, file).GetOrThrow();

    public async Task<RunRecord> RunAsync(string yaml, IReadOnlyDictionary<string, object?>? inputs = null, IReadOnlyDictionary<string, WorkflowDefinition>? library = null, CancellationToken cancellationToken = default)
    {
        var run = await StartAsync(yaml, inputs, library);
        return await Engine.RunAsync(run.Id, cancellationToken);
    }

    public Task<RunRecord> StartAsync(string yaml, IReadOnlyDictionary<string, object?>? inputs = null, IReadOnlyDictionary<string, WorkflowDefinition>? library = null) =>
        Engine.StartAsync(new StartRunRequest { Workflow = Workflow(yaml), Inputs = inputs ?? new Dictionary<string, object?>(), Library = library ?? new Dictionary<string, WorkflowDefinition>() }, CancellationToken.None);

    public async Task<IReadOnlyList<JournalEvent>> JournalAsync(string runId) => await Store.ReadJournalAsync(runId, 0, CancellationToken.None);
}

internal sealed class CallLog
{
    public ConcurrentQueue<string> Entries { get; } = new();

    /// <summary>When each attempt of test.flaky ran, on the engine clock.</summary>
    public ConcurrentQueue<DateTimeOffset> AttemptTimes { get; } = new();

    public int ConcurrentNow;

    public int MaxConcurrent;

    public IReadOnlyList<string> Items => Entries.ToList();
}

[Activity("test.record", Description = "Records its name.")]
internal sealed class RecordActivity(CallLog log) : Activity<RecordActivity.Inputs, RecordActivity.Outputs>
{
    protected override Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        log.Entries.Enqueue(context.Host is null ? context.Input.Name : $"{context.Input.Name}@{context.Host.Name}");
        return Task.FromResult(new Outputs { Value = context.Input.Name.ToUpperInvariant(), Items = context.Input.Items });
    }

    public sealed class Inputs
    {
        [Description("name")]
        public required string Name { get; set; }

        public List<string> Items { get; set; } = [];
    }

    public sealed class Outputs
    {
        public string Value { get; set; } = "";

        public List<string> Items { get; set; } = [];
    }
}

[Activity("test.flaky", Description = "Fails the first N attempts.")]
internal sealed class FlakyActivity(CallLog log) : Activity<FlakyActivity.Inputs, NoOutputs>
{
    protected override Task<NoOutputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        log.Entries.Enqueue($"flaky attempt {context.Attempt}");
        log.AttemptTimes.Enqueue(context.Time.GetUtcNow());
        if (context.Attempt > context.Input.Failures)
        {
            return Task.FromResult(new NoOutputs());
        }

        var message = $"{context.Input.Message} {context.Attempt}";
        throw context.Input.Error switch
        {
            "Timeout" => new TimeoutException(message),
            "HttpRequest" => new HttpRequestException(message),
            _ => new InvalidOperationException(message),
        };
    }

    public sealed class Inputs
    {
        public int Failures { get; set; }

        [Description("Kind of error thrown: InvalidOperation, Timeout or HttpRequest.")]
        public string Error { get; set; } = "InvalidOperation";

        [Description("Text of the error; the attempt number is appended.")]
        public string Message { get; set; } = "boom";
    }
}

[Activity("test.slow", Description = "Waits on the engine clock.")]
internal sealed class SlowActivity(CallLog log) : Activity<SlowActivity.Inputs, NoOutputs>
{
    protected override async Task<NoOutputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref log.ConcurrentNow);
        InterlockedMax(ref log.MaxConcurrent, now);
        try
        {
            log.Entries.Enqueue($"slow start {context.Input.Name}");
            await Task.Delay(context.Input.Duration, context.Time, cancellationToken);
            log.Entries.Enqueue($"slow end {context.Input.Name}");
            return new NoOutputs();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Entries.Enqueue($"slow cancelled {context.Input.Name}");
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref log.ConcurrentNow);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public sealed class Inputs
    {
        public string Name { get; set; } = "";

        public TimeSpan Duration { get; set; } = TimeSpan.FromMilliseconds(50);
    }
}

[Activity("test.collect", Description = "Waits for signal 'part' until it has received `count` of them; outputs their payloads' text in order.")]
internal sealed class CollectActivity(CallLog log) : WaitingActivity<CollectActivity.Inputs, CollectActivity.Outputs>
{
    protected override Task<WaitOrDone<Outputs>> BeginAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken) =>
        Task.FromResult<WaitOrDone<Outputs>>(new WaitRequest("part", "signal", $"{context.Input.Count} parts"));

    protected override async Task<Outputs?> ResumeAsync(ActivityContext<Inputs> context, SignalDelivery signal, CancellationToken cancellationToken)
    {
        var parts = context.Signals.Select(s => s.Payload?.ToString() ?? "").ToList();
        log.Entries.Enqueue($"collect saw {string.Join(",", parts)}");
        if (context.Input.SignalWhileResuming is { } next && !log.Entries.Contains($"sent {next}"))
        {
            log.Entries.Enqueue($"sent {next}");
            // Another sender's signal lands while this execution runs, as a webhook would.
            var engine = context.Services.GetRequiredService<WorkflowEngine>();
            if (context.Input.SenderSchedules)
            {
                await engine.SignalAsync(context.RunId, "part", next, "tester", cancellationToken);
                engine.RunInBackground(context.RunId);
            }
            else
            {
                // As the HTTP API does: the run is Running, so the sender wakes nothing.
                await engine.SignalAndWakeAsync(context.RunId, "part", next, "tester", cancellationToken);
            }
        }

        return parts.Count >= context.Input.Count ? new Outputs { Parts = parts } : null;
    }

    public sealed class Inputs
    {
        public int Count { get; set; } = 2;

        public string? SignalWhileResuming { get; set; }

        /// <summary>Whether the sender of that signal also schedules the run (a timer does; the HTTP API does only for a waiting run).</summary>
        public bool SenderSchedules { get; set; } = true;
    }

    public sealed class Outputs
    {
        public List<string> Parts { get; set; } = [];
    }
}
