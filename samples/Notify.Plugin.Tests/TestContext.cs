using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Microsoft.Extensions.DependencyInjection;

namespace Notify.Plugin.Tests;

/// <summary>Builds the context the engine would hand a step, with secrets by name.</summary>
internal static class TestContext
{
    public static ActivityContext For(string activity, Dictionary<string, object?> inputs, Dictionary<string, string>? secrets = null) => new()
    {
        RunId = "run-1",
        WorkflowId = "release",
        StepPath = "steps[2]",
        ActivityName = activity,
        Inputs = inputs,
        Secrets = new TestSecrets(secrets ?? []),
        Log = new NullStepLog(),
        Services = new ServiceCollection().BuildServiceProvider(),
    };

    public static async Task<IReadOnlyDictionary<string, object?>> RunAsync(IActivity activity, ActivityContext context, CancellationToken cancellationToken = default) =>
        Assert.IsType<CompletedResult>(await activity.ExecuteAsync(context, cancellationToken)).Outputs;

    private sealed class TestSecrets(Dictionary<string, string> values) : ISecretAccessor
    {
        public SecretMasker Masker { get; } = new();

        public string Get(string name)
        {
            var value = values.TryGetValue(name, out var found) ? found : throw new KeyNotFoundException($"secret '{name}' is not defined");
            Masker.Add(value);
            return value;
        }
    }

    private sealed class NullStepLog : IStepLog
    {
        public void Info(string message, string? host = null)
        {
        }

        public void Warn(string message, string? host = null)
        {
        }

        public void Output(string line, string stream, string? host = null)
        {
        }

        public void Progress(int done, int total, int failed)
        {
        }
    }
}
