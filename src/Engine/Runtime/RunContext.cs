using System.Collections.Concurrent;
using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Runtime;

/// <summary>What every step of one run shares: its record, definitions, environment, secrets, journal and services.</summary>
internal sealed class RunContext
{
    private readonly ConcurrentDictionary<string, bool> _started = new(StringComparer.Ordinal);

    public required RunRecord Record { get; init; }

    public required WorkflowDefinition Workflow { get; init; }

    public required IReadOnlyDictionary<string, WorkflowDefinition> Definitions { get; init; }

    public EnvironmentDefinition? Environment { get; init; }

    public required SecretStore Secrets { get; init; }

    public SecretMasker Masker => Secrets.Masker;

    public required ActivityRegistry Registry { get; init; }

    public required IServiceProvider Services { get; init; }

    public required EngineOptions Options { get; init; }

    public required TimeProvider Time { get; init; }

    public required JournalWriter Journal { get; init; }

    /// <summary>The concurrency keys workflow.call steps take for the workflows they call.</summary>
    public required CalledWorkflowKeys CallKeys { get; init; }

    /// <summary>Waits this pass ended on, by step key.</summary>
    public ConcurrentDictionary<string, WaitRequest> Waiting { get; } = new(StringComparer.Ordinal);

    public void MarkStarted(string key) => _started[key] = true;

    public bool HasStarted(string key) => _started.ContainsKey(key);

    public void LoadStarted(IEnumerable<JournalEvent> events)
    {
        foreach (var e in events)
        {
            if (e.Type == JournalEventTypes.RunRetried)
            {
                // Steps run again after a retry journal their start again. Intents stay: a re-run load-balancer
                // step drives to the state it decided the first time (lb.flip flips to the same groups).
                _started.Clear();
            }
            else if (e.Path is null)
            {
                continue;
            }
            else if (e.Type == JournalEventTypes.StepStarted)
            {
                _started[e.Path!] = true;
            }
            else if (e.Type == JournalEventTypes.StepIntent && e.Payload is IReadOnlyDictionary<string, object?> intent)
            {
                Intents[e.Path!] = intent;
            }
        }
    }

    /// <summary>The latest intent each step instance recorded (<see cref="Activities.IStepIntent"/>), by step path.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyDictionary<string, object?>> Intents { get; } =
        new(StringComparer.Ordinal);

    /// <summary>The definition a step belongs to (its workflow's on_error applies to it).</summary>
    public WorkflowDefinition? OwnerOf(StepNode step)
    {
        if (_owners is null)
        {
            var owners = new Dictionary<StepNode, WorkflowDefinition>(ReferenceEqualityComparer.Instance);
            foreach (var workflow in Definitions.Values)
            {
                foreach (var node in workflow.AllSteps())
                {
                    owners.TryAdd(node, workflow);
                }
            }

            _owners = owners;
        }

        return _owners.TryGetValue(step, out var owner) ? owner : null;
    }

    private Dictionary<StepNode, WorkflowDefinition>? _owners;

    public WorkflowDefinition Definition(string id) => Definitions.TryGetValue(id, out var definition)
        ? definition
        : throw new InvalidOperationException($"workflow '{id}' is not part of run {Record.Id}'s pinned definitions");

    public TemplateScope BaseScope(WorkflowDefinition workflow, IReadOnlyDictionary<string, object?> inputs) =>
        new TemplateScope(Secrets)
            .Set("inputs", inputs.ToDictionary(kv => kv.Key, kv => kv.Value))
            .Set("env", EnvironmentVariable.Of(Environment))
            .Set("run", new Dictionary<string, object?>
            {
                ["id"] = Record.Id,
                ["workflow"] = workflow.Id,
                ["environment"] = Record.EnvironmentId,
                ["trigger"] = Record.Trigger,
                ["started_by"] = Record.StartedBy,
            })
            .Set("steps", new Dictionary<string, object?>());
}
