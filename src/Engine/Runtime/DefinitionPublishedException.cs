namespace Gantry.Engine.Runtime;

/// <summary>Thrown when a published definition version would be changed: published versions are immutable.</summary>
public sealed class DefinitionPublishedException(string id, int version)
    : InvalidOperationException(
        $"Definition '{id}' version {version} is published and cannot be changed. Save the new text as a new version instead.")
{
    public string DefinitionId { get; } = id;

    public int Version { get; } = version;
}
