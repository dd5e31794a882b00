using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Gantry.Engine.Activities;

namespace Gantry.Engine.Tests.TestActivities;

/// <summary>Small activities with typed inputs and outputs, so the validator is tested without real providers.</summary>
public static class TestCatalog
{
    public static ActivityRegistry Registry { get; } = new(typeof(TestCatalog).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(IActivity).IsAssignableFrom(t))
        .Select(t => new ActivityRegistration(ActivityDescriptor.FromType(t))));
}

public sealed class LatestTagInputs
{
    [Description("Which tag: stable or a prefix.")]
    public string Ref { get; set; } = "stable";
}

public sealed class LatestTagOutputs
{
    public string Tag { get; set; } = "";

    public string Commit { get; set; } = "";
}

[Activity("git.latest-tag", Description = "The highest release tag.")]
public sealed class LatestTag : Activity<LatestTagInputs, LatestTagOutputs>
{
    protected override Task<LatestTagOutputs> ExecuteAsync(ActivityContext<LatestTagInputs> context, CancellationToken cancellationToken) => Task.FromResult(new LatestTagOutputs());
}

public sealed class GroupsInputs
{
    [Description("Groups to put live.")]
    [Required]
    public List<string> Groups { get; set; } = [];
}

public sealed class LbOutputs
{
    public List<string> Live { get; set; } = [];
}

[Activity("lb.live", Description = "Only these groups live.")]
public sealed class LbLive : Activity<GroupsInputs, LbOutputs>
{
    protected override Task<LbOutputs> ExecuteAsync(ActivityContext<GroupsInputs> context, CancellationToken cancellationToken) => Task.FromResult(new LbOutputs());
}

[Activity("lb.flip")]
public sealed class LbFlip : Activity<NoInputs, LbOutputs>
{
    protected override Task<LbOutputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken) => Task.FromResult(new LbOutputs());
}

[Activity("lb.all")]
public sealed class LbAll : Activity<NoInputs, LbOutputs>
{
    protected override Task<LbOutputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken) => Task.FromResult(new LbOutputs());
}

[Activity("lb.restore")]
public sealed class LbRestore : Activity<NoInputs, NoOutputs>
{
    protected override Task<NoOutputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken) => Task.FromResult(new NoOutputs());
}

public sealed class DeployInputs
{
    [Description("A group, or out, live or all.")]
    [Required]
    public string Target { get; set; } = "";

    [Description("The release tag.")]
    [Required]
    public string Tag { get; set; } = "";

    [Description("Hosts deployed at once.")]
    public int MaxParallel { get; set; } = 1;
}

public sealed class DeployOutputs
{
    public List<string> Hosts { get; set; } = [];
}

[Activity("deploy.release", Description = "Deploys a tag to a group.")]
public sealed class DeployRelease : Activity<DeployInputs, DeployOutputs>
{
    protected override Task<DeployOutputs> ExecuteAsync(ActivityContext<DeployInputs> context, CancellationToken cancellationToken) => Task.FromResult(new DeployOutputs());
}

public enum ShellMode { Plain, Login }

public sealed class ShellInputs
{
    public string? Host { get; set; }

    public List<string>? Hosts { get; set; }

    [Description("The command line.")]
    [Required]
    [Sensitive]
    public string Command { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public ShellMode Mode { get; set; }

    public bool Sudo { get; set; }
}

public sealed class ShellOutputs
{
    public int ExitCode { get; set; }

    public string Stdout { get; set; } = "";
}

[Activity("shell.run", Description = "Runs a command on hosts.")]
public sealed class ShellRun : Activity<ShellInputs, ShellOutputs>
{
    protected override Task<ShellOutputs> ExecuteAsync(ActivityContext<ShellInputs> context, CancellationToken cancellationToken) => Task.FromResult(new ShellOutputs());
}
