namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>Where the kill test's rollouts go, which workflow each run is, and what "every host on the target release" means there.</summary>
internal interface IRolloutTarget
{
    /// <summary>The <c>--env</c> of every run.</summary>
    string Environment { get; }

    /// <summary>The workflow of run number <paramref name="run"/> (from 0).</summary>
    string WorkflowOf(int run);

    /// <summary>Prepares run number <paramref name="run"/> (the real fleet publishes the release it deploys).</summary>
    Task BeforeRunAsync(int run);

    /// <summary>Asserts every host of the environment runs the release the last run deployed.</summary>
    Task AssertEveryHostOnTargetAsync(string context);
}

/// <summary>The repository's sandbox environment: rolling-deploy and hotfix in turn, each to the newest stable tag of the sandbox origin.</summary>
internal sealed class SandboxTarget(DurableWorkspace workspace) : IRolloutTarget
{
    public string Environment => "sandbox";

    public string WorkflowOf(int run) => run % 2 == 0 ? "rolling-deploy" : "hotfix";

    public Task BeforeRunAsync(int run) => Task.CompletedTask;

    public async Task AssertEveryHostOnTargetAsync(string context) =>
        await RolloutInvariants.AssertEveryHostOnAsync(workspace, await RolloutInvariants.NewestStableTagAsync(workspace), context);
}
