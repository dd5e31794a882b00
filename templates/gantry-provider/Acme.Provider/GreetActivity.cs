using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Acme.Provider;

/// <summary>Inputs of <c>acme.greet</c>.</summary>
public sealed class GreetInputs
{
    [Description("Who to greet.")]
    public required string Name { get; init; }

    /// <value>The default value is <c>Hello</c>.</value>
    [Description("The greeting word.")]
    public string Greeting { get; init; } = "Hello";
}

/// <summary>Outputs of <c>acme.greet</c>.</summary>
public sealed class GreetOutputs
{
    [Description("The greeting that was logged.")]
    public string Message { get; init; } = "";
}

/// <summary>An example activity: replace it with yours. It changes nothing, so running it again is safe.</summary>
[Activity("acme.greet", Description = "Log a greeting (an example activity).", Example = "uses: acme.greet\nwith: { name: ops }")]
public sealed class GreetActivity : Activity<GreetInputs, GreetOutputs>
{
    protected override Task<GreetOutputs> ExecuteAsync(ActivityContext<GreetInputs> context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var message = $"{context.Input.Greeting}, {context.Input.Name}";
        context.Log.Info(message);
        return Task.FromResult(new GreetOutputs { Message = message });
    }
}
