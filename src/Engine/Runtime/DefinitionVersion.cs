namespace Gantry.Engine.Runtime;

/// <summary>A definition version's state: drafts can be edited, published versions never change.</summary>
public enum DefinitionState { Draft, Published }

/// <summary>One saved version of a definition (a workflow or environment document) with who saved it, when and why.</summary>
public sealed record DefinitionVersion
{
    public required string Id { get; init; }

    /// <summary>1, 2, … per definition.</summary>
    public required int Version { get; init; }

    public required string Text { get; init; }

    /// <summary>Lower-case hexadecimal SHA-256 of the text's UTF-8 bytes.</summary>
    public required string ContentHash { get; init; }

    public string? Author { get; init; }

    public string? Comment { get; init; }

    public DefinitionState State { get; init; } = DefinitionState.Draft;

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was published (null for drafts).</summary>
    public DateTimeOffset? PublishedAt { get; init; }
}

/// <summary>A definition as lists show it: its newest version and its newest published version.</summary>
public sealed record DefinitionSummary(string Id, int LatestVersion, int? PublishedVersion, DateTimeOffset UpdatedAt);
