namespace Gantry.Engine.Plugins;

/// <summary>
/// Marks the class of a plugin assembly that registers the plugin's own services. The class has
/// <c>public static void Register(IServiceCollection services)</c>; the loader calls it once,
/// after the plugin's activities are registered.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GantryPluginAttribute : Attribute;
