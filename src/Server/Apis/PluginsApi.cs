using Gantry.Engine.Plugins;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary>A plugin that loaded: its folder name, main assembly and the activities it added.</summary>
public sealed record PluginView(string Name, string Path, IReadOnlyList<string> Activities);

/// <summary>What the server found in its plugins folder: the plugins that loaded and, with path and reason, the ones that did not.</summary>
public sealed record PluginsView(string Folder, IReadOnlyList<PluginView> Loaded, IReadOnlyList<PluginLoadFailure> Failures);

/// <summary><c>/api/plugins</c>: the plugins folder as loaded at start-up, so a broken plugin is visible without reading the log.</summary>
internal static class PluginsApi
{
    public static IEndpointRouteBuilder MapPluginsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/plugins", List).WithTags("Activities").RequireAuthorization(Policies.Read);
        return app;
    }

    public static Ok<PluginsView> List(PluginLoadReport report) =>
        TypedResults.Ok(
            new PluginsView(report.Folder, report.Loaded.Select(p => new PluginView(p.Name, p.Path, p.Activities)).ToList(), report.Failures));
}
