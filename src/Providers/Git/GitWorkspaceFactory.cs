using Gantry.Engine.Activities;
using Gantry.Engine.Model;
using Gantry.Providers.Sandbox;

namespace Gantry.Providers.Git;

/// <summary>Builds the per-environment clone for a step: origin, flow naming and credentials from the environment.</summary>
internal static class GitWorkspaceFactory
{
    public static Task<GitWorkspace> OpenAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new GitException($"{context.ActivityName} needs an environment (--env) naming the repository");
        return OpenAsync(environment, context.DataDirectory, context.Secrets, cancellationToken);
    }

    /// <summary>
    /// The environment's workspace for questions asked of origin with <c>ls-remote</c> (tags, refs):
    /// no clone is made or fetched, so resolving a tag costs one round trip to origin.
    /// </summary>
    public static Task<GitWorkspace> OpenForQueriesAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new GitException($"{context.ActivityName} needs an environment (--env) naming the repository");
        return CreateAsync(environment, context.DataDirectory, context.Secrets, cancellationToken);
    }

    /// <summary>The environment's clone outside a run (e.g. <c>gantry deploy</c> resolving <c>--ref</c>).</summary>
    public static async Task<GitWorkspace> OpenAsync(EnvironmentDefinition environment, string dataDirectory, ISecretAccessor secrets, CancellationToken cancellationToken)
    {
        var workspace = await CreateAsync(environment, dataDirectory, secrets, cancellationToken).ConfigureAwait(false);
        await workspace.EnsureCloneAsync(cancellationToken).ConfigureAwait(false);
        return workspace;
    }

    /// <summary>Resolves a deploy's tag, branch or commit on the environment's origin, without a clone.</summary>
    public static async Task<ResolvedRef> ResolveRefAsync(EnvironmentDefinition environment, string dataDirectory, ISecretAccessor secrets, string reference, CancellationToken cancellationToken)
    {
        var workspace = await CreateAsync(environment, dataDirectory, secrets, cancellationToken).ConfigureAwait(false);
        return await workspace.ResolveRefAsync(reference, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<GitWorkspace> CreateAsync(EnvironmentDefinition environment, string dataDirectory, ISecretAccessor secrets, CancellationToken cancellationToken)
    {
        var repository = environment.Repository;
        var url = repository.Url ?? throw new GitException($"environment {environment.Id} has no repository.url");
        if (url == "sandbox")
        {
            // The sandbox environment gets a real local origin with the scenario's history, made once.
            url = await SandboxOrigin.EnsureAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        }
        else if (!url.Contains("://", StringComparison.Ordinal) && !url.Contains('@', StringComparison.Ordinal) && !Path.IsPathRooted(url))
        {
            url = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(environment.SourcePath) ?? ".", url));
        }

        string? keyPath = null;
        if (repository.SshKeySecret is { } secret)
        {
            keyPath = Path.Combine(dataDirectory, "keys", $"{environment.Id}-git");
            Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
            await File.WriteAllTextAsync(keyPath, secrets.Get(secret), cancellationToken).ConfigureAwait(false);
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var workspace = new GitWorkspace(new GitWorkspaceOptions
        {
            RepositoryUrl = url,
            DataDirectory = Path.GetFullPath(dataDirectory),
            EnvironmentName = environment.Id,
            SshKeyPath = keyPath,
            SshKnownHostsPath = ResolveKnownHosts(environment),
            Flow = new GitFlowOptions
            {
                ProductionBranch = repository.ProductionBranch,
                DevelopBranch = repository.DevelopBranch,
                HotfixPrefix = repository.HotfixPrefix,
                ReleasePrefix = repository.ReleasePrefix,
                TagPrefix = repository.TagPrefix,
            },
        });
        return workspace;
    }

    private static string? ResolveKnownHosts(EnvironmentDefinition environment) =>
        environment.Ssh.KnownHosts is { } file
            ? Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(environment.SourcePath) ?? ".", file)
            : null;
}
