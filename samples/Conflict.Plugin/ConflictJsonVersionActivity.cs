using System.ComponentModel;
using Gantry.Engine.Activities;
using Newtonsoft.Json;

namespace Conflict.Plugin;

/// <summary>Outputs of <c>conflict.json-version</c>.</summary>
public sealed class ConflictJsonVersionOutputs
{
    [Description("Assembly version of the Newtonsoft.Json this plugin runs with.")]
    public string Version { get; init; } = "";

    [Description("A value serialized with that library, proving it works.")]
    public string Sample { get; init; } = "";
}

/// <summary>Reports which Newtonsoft.Json this plugin sees (12.x, while Notify.Plugin uses 13.x).</summary>
[Activity("conflict.json-version", Description = "Report the Newtonsoft.Json version the Conflict plugin runs with (plugin isolation check).")]
public sealed class ConflictJsonVersionActivity : Activity<NoInputs, ConflictJsonVersionOutputs>
{
    protected override Task<ConflictJsonVersionOutputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken) =>
        Task.FromResult(new ConflictJsonVersionOutputs
        {
            Version = typeof(JsonConvert).Assembly.GetName().Version!.ToString(),
            Sample = JsonConvert.SerializeObject(new { plugin = "conflict" }),
        });
}
