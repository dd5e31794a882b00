namespace Gantry.Engine.Runtime;

/// <summary>
/// Versioned definitions. Saving creates version 1, 2, … as a draft; saving text identical to the
/// latest version returns that version instead (so importing unchanged files adds nothing).
/// Publishing freezes a version; a draft may still be edited in place.
/// </summary>
public interface IDefinitionStore
{
    /// <summary>Saves a new draft version, or returns the latest version when its text is identical.</summary>
    Task<DefinitionVersion> SaveAsync(string id, string text, string? author, string? comment, CancellationToken cancellationToken);

    /// <summary>Replaces a draft's text in place; throws <see cref="DefinitionPublishedException"/> for a published version.</summary>
    Task<DefinitionVersion> UpdateDraftAsync(
        string id,
        int version,
        string text,
        string? author,
        string? comment,
        CancellationToken cancellationToken);

    /// <summary>Publishes a version (again is harmless); throws <see cref="KeyNotFoundException"/> when it does not exist.</summary>
    Task<DefinitionVersion> PublishAsync(string id, int version, CancellationToken cancellationToken);

    /// <summary>
    /// A given version (in any state), or without one the latest published version; when nothing is
    /// published, the latest draft only if <paramref name="fallBackToDraft"/>. Null when there is none.
    /// </summary>
    Task<DefinitionVersion?> GetAsync(string id, int? version, bool fallBackToDraft, CancellationToken cancellationToken);

    /// <summary>Every definition, by id.</summary>
    Task<IReadOnlyList<DefinitionSummary>> ListAsync(CancellationToken cancellationToken);

    /// <summary>A definition's versions, oldest first (empty when unknown).</summary>
    Task<IReadOnlyList<DefinitionVersion>> VersionsAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deletes a definition with all its versions; false when unknown.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
