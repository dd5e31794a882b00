using Gantry.Engine.Activities;
using Gantry.Providers.Git;

namespace Gantry.Providers.Deploy;

/// <summary>
/// What deploy.release puts on the hosts: a <c>tag</c> as given (no lookup, as before), or a
/// <c>ref</c> resolved on origin now, whose branch or commit becomes <c>releases/&lt;short commit&gt;</c>.
/// </summary>
/// <param name="Release">The release folder name.</param>
/// <param name="FetchCommit">The full commit the hosts fetch; null when they fetch the tag.</param>
internal sealed record ReleaseRef(string Release, string? Ref, string? Commit, string? FetchCommit)
{
    public static async Task<ReleaseRef> ResolveAsync(ActivityContext<DeployReleaseActivity.Inputs> context, CancellationToken cancellationToken)
    {
        var (tag, reference) = (context.Input.Tag, context.Input.Ref);
        if (string.IsNullOrWhiteSpace(tag) == string.IsNullOrWhiteSpace(reference))
        {
            throw new DeployException("deploy.release needs exactly one of tag (a tag) or ref (a tag, branch or full commit SHA)");
        }

        if (!string.IsNullOrWhiteSpace(tag))
        {
            return new ReleaseRef(tag, null, null, null);
        }

        ResolvedRef resolved;
        try
        {
            resolved = await GitWorkspaceFactory
                .ResolveRefAsync(context.Environment!, context.DataDirectory, context.Secrets, reference!, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (GitException ex)
        {
            throw new DeployException($"deploy.release cannot resolve ref: {ex.Message}");
        }

        return resolved.Kind == GitRefKind.Tag
            ? new ReleaseRef(resolved.Release, resolved.Ref, resolved.Commit, null)
            : new ReleaseRef(resolved.Release, resolved.Ref, resolved.Commit, resolved.Commit);
    }

    public string Describe() => Commit is null || FetchCommit is null
        ? Release
        : Ref == Commit ? $"commit {Commit}" : $"{Ref} at {Commit}";
}
