using System.ComponentModel;
using Gantry.Engine.Activities;
using Newtonsoft.Json;

namespace Notify.Plugin;

/// <summary>Outputs of <c>notify.json-version</c>.</summary>
public sealed class JsonVersionOutputs
{
    [Description("Assembly version of the Newtonsoft.Json this plugin runs with.")]
    public string Version { get; init; } = "";
}

/// <summary>Reports which Newtonsoft.Json the plugin sees: each plugin keeps its own library versions.</summary>
[Activity("notify.json-version", Description = "Report the Newtonsoft.Json version the Notify plugin runs with (plugin isolation check).")]
public sealed class JsonVersionActivity : Activity<NoInputs, JsonVersionOutputs>
{
    protected override Task<JsonVersionOutputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonVersionOutputs { Version = typeof(JsonConvert).Assembly.GetName().Version!.ToString() });
}
