using System.Reflection;

namespace Gantry.Engine.Plugins;

/// <summary>What <see cref="PluginLoader"/> found in a plugins folder: the plugins it loaded and the ones it could not.</summary>
/// <param name="Folder">The plugins folder that was searched (it may not exist).</param>
public sealed record PluginLoadReport(string Folder, IReadOnlyList<LoadedPlugin> Loaded, IReadOnlyList<PluginLoadFailure> Failures)
{
    /// <summary>A report of nothing loaded; for hosts without a plugins folder.</summary>
    public static PluginLoadReport Empty(string folder) => new(folder, [], []);

    /// <summary>The plugin an activity came from, or null for the host's own activities.</summary>
    public LoadedPlugin? PluginOf(string activityName) => Loaded.FirstOrDefault(p => p.Activities.Contains(activityName, StringComparer.Ordinal));
}

/// <summary>A plugin that loaded: its folder name, main assembly path and the activities it added.</summary>
public sealed record LoadedPlugin(string Name, string Path, Assembly Assembly, IReadOnlyList<string> Activities);

/// <summary>A plugin folder that could not be loaded, with the reason in a sentence; the rest of Gantry starts without it.</summary>
public sealed record PluginLoadFailure(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}
