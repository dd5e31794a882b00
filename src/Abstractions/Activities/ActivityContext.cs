using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Activities;

/// <summary>
/// Everything one step execution may use: its rendered inputs, the environment, secrets, the
/// step log (journal), the host it runs for, and a signal when it is resumed.
/// </summary>
public class ActivityContext
{
    public required string RunId { get; init; }

    public required string WorkflowId { get; init; }

    /// <summary>The step's structural path, e.g. <c>steps[3].steps[0]</c>; stable across restarts.</summary>
    public required string StepPath { get; init; }

    public string? StepId { get; init; }

    public required string ActivityName { get; init; }

    /// <summary>Inputs after template rendering, as plain values.</summary>
    public required IReadOnlyDictionary<string, object?> Inputs { get; init; }

    /// <summary>Where the step's <c>with:</c> was written, for messages.</summary>
    public SourceLocation InputsLocation { get; init; }

    public EnvironmentDefinition? Environment { get; init; }

    /// <summary>Set inside per-host steps (foreach over a group's hosts).</summary>
    public HostBinding? Host { get; init; }

    public required ISecretAccessor Secrets { get; init; }

    public required IStepLog Log { get; init; }

    public required IServiceProvider Services { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Gantry's data folder (clones, sandbox state).</summary>
    public string DataDirectory { get; init; } = ".gantry";

    /// <summary>The signal that resumed a waiting step, else null.</summary>
    public SignalDelivery? Signal { get; init; }

    /// <summary>
    /// Every signal delivered to this waiting step up to and including <see cref="Signal"/>, oldest first;
    /// empty when the step is not resuming. A wait that needs several events (a merge and its checks) reads them all.
    /// </summary>
    public IReadOnlyList<SignalDelivery> Signals { get; init; } = [];

    /// <summary>1 on the first try; higher on retries.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The step's recorded intent: what an earlier execution of this step decided, and how to record a decision.</summary>
    public IStepIntent Intent { get; init; } = UnrecordedIntent.Instance;

    /// <summary>Set by the engine: renders a <see cref="PerHostAttribute"/> input as written in the document, with <c>host</c> bound.</summary>
    internal Func<string, HostBinding, string>? PerHostRenderer { get; init; }

    /// <summary>
    /// The input <paramref name="input"/> (document name) rendered for <paramref name="host"/>: the
    /// template as the workflow wrote it, rendered once with <c>host</c> in scope. Outside the engine
    /// (no document at hand) it is the input's value as given, never rendered.
    /// </summary>
    public string RenderPerHost(string input, HostBinding host) =>
        PerHostRenderer is { } render
            ? render(input, host)
            : Convert.ToString(Inputs.GetValueOrDefault(input), System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>Binds the rendered inputs to the activity's typed inputs class; throws with every problem listed.</summary>
    public T BindInputs<T>()
        where T : class
    {
        var diagnostics = new DiagnosticBag();
        var node = PlainValue.ToDoc(Inputs as System.Collections.IDictionary ?? Inputs.ToDictionary(kv => kv.Key, kv => kv.Value), InputsLocation);
        var bound = ObjectBinder.Bind<T>(node, $"{StepPath}.with", diagnostics);
        if (diagnostics.HasErrors)
        {
            throw new DocumentInvalidException(diagnostics.Items);
        }

        return bound ?? (T)Activator.CreateInstance(typeof(T))!;
    }

    internal static IReadOnlyDictionary<string, object?> ToOutputs(object outputs) =>
        PlainValue.FromTyped(outputs) as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();
}

/// <summary>The context with typed inputs.</summary>
public sealed class ActivityContext<TInputs> : ActivityContext
    where TInputs : class
{
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public ActivityContext(ActivityContext source, TInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(source);

        RunId = source.RunId;
        WorkflowId = source.WorkflowId;
        StepPath = source.StepPath;
        StepId = source.StepId;
        ActivityName = source.ActivityName;
        Inputs = source.Inputs;
        InputsLocation = source.InputsLocation;
        Environment = source.Environment;
        Host = source.Host;
        Secrets = source.Secrets;
        Log = source.Log;
        Services = source.Services;
        Time = source.Time;
        DataDirectory = source.DataDirectory;
        Signal = source.Signal;
        Signals = source.Signals;
        Attempt = source.Attempt;
        Intent = source.Intent;
        PerHostRenderer = source.PerHostRenderer;
        Input = inputs;
    }

    public TInputs Input { get; }
}

/// <summary>A host a per-host step runs for.</summary>
public sealed record HostBinding(string Name, string? Group, HostSettings Settings);

/// <summary>Secret values by name; every value handed out is masked from then on.</summary>
public interface ISecretAccessor
{
    /// <summary>The secret's value; throws naming the secret and where it was expected when it cannot be read.</summary>
    string Get(string name);

    SecretMasker Masker { get; }
}

/// <summary>The step's log: lines go to the run journal (secrets masked) and to live watchers.</summary>
public interface IStepLog
{
    void Info(string message, string? host = null);

    void Warn(string message, string? host = null);

    /// <summary>A line a remote command or process printed.</summary>
    void Output(string line, string stream, string? host = null);

    /// <summary>Progress of a multi-host step: done of total, failures.</summary>
    void Progress(int done, int total, int failed);
}
