using System.ComponentModel;

namespace Gantry.Engine.Activities.BuiltIn;

[Activity(
    "fail",
    Description = "Fails the step with a message (guards, tests of on_failure).",
    Example = "uses: fail\nwith: { message: \"refusing to deploy on Fridays\" }")]
internal sealed class FailActivity : Activity<FailActivity.Inputs, NoOutputs>
{
    protected override Task<NoOutputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken) =>
        throw new WorkflowFailureException(context.Input.Message);

    public sealed class Inputs
    {
        [Description("Why the workflow fails.")]
        public required string Message { get; set; }
    }
}

/// <summary>A failure a workflow asked for with the fail activity.</summary>
public sealed class WorkflowFailureException(string message) : Exception(message);
