using System.Collections.Concurrent;
using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>Which <c>test.fixable</c> steps fail now: a host that is broken until an operator fixes it.</summary>
internal sealed class Breakage
{
    public ConcurrentDictionary<string, bool> Broken { get; } = new(StringComparer.Ordinal);

    public void Break(string name) => Broken[name] = true;

    public void Fix(string name) => Broken.TryRemove(name, out _);
}

[Activity("test.fixable", Description = "Fails while its name is broken; outputs its name and how many times it ran.")]
internal sealed class FixableActivity(CallLog log, Breakage breakage) : Activity<FixableActivity.Inputs, FixableActivity.Outputs>
{
    protected override Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        log.Entries.Enqueue($"{context.Input.Name} {context.Input.Value}".TrimEnd());
        if (breakage.Broken.ContainsKey(context.Input.Name))
        {
            throw new InvalidOperationException($"{context.Input.Name} is broken");
        }

        return Task.FromResult(new Outputs { Name = context.Input.Name, Seen = context.Input.Value });
    }

    public sealed class Inputs
    {
        [Description("name")]
        public required string Name { get; set; }

        [Description("a value it echoes, to show which outputs of earlier steps it saw")]
        public string Value { get; set; } = "";
    }

    public sealed class Outputs
    {
        public string Name { get; set; } = "";

        public string Seen { get; set; } = "";
    }
}

/// <summary>A load-balancer step as the retry point sees one (its name begins with <c>lb.</c>); records its name.</summary>
[Activity("lb.test-groups", Description = "Records its name, as a load-balancer step would change the groups.")]
internal sealed class LoadBalancerStepActivity(CallLog log) : Activity<LoadBalancerStepActivity.Inputs, NoOutputs>
{
    protected override Task<NoOutputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        log.Entries.Enqueue($"lb {context.Input.Name}");
        return Task.FromResult(new NoOutputs());
    }

    public sealed class Inputs
    {
        [Description("name")]
        public required string Name { get; set; }
    }
}
