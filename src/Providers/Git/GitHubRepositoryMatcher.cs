using System.Text.Json;
using Gantry.Engine.Model;
using static Gantry.Providers.Git.GitHubPayload;

namespace Gantry.Providers.Git;

/// <summary>
/// Tells whether a GitHub event is about an environment's repository. With <c>repository.github</c>
/// (owner/name) set, the event's <c>repository.full_name</c> must be that. Otherwise, when
/// <c>repository.url</c> is a URL with a host (https, ssh, git@host:owner/name), one of the event's
/// <c>clone_url</c>, <c>ssh_url</c>, <c>git_url</c>, <c>html_url</c> or <c>full_name</c> must name the
/// same host and path (scheme, user, port and <c>.git</c> ignored). A local or file origin without
/// <c>repository.github</c> accepts every event, and so does an event without a repository (sent by a person).
/// </summary>
public static class GitHubRepositoryMatcher
{
    private static readonly string[] UrlFields = ["clone_url", "ssh_url", "git_url", "html_url"];

    /// <summary>True when the payload names no repository or names <paramref name="repository"/>.</summary>
    public static bool Matches(JsonElement payload, RepositorySettings repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (GitHubPayload.Object(payload, "repository") is not { } named)
        {
            return true;
        }

        var fullName = Text(named, "full_name");
        if (!string.IsNullOrWhiteSpace(repository.Github))
        {
            return fullName is not null && string.Equals(fullName.Trim('/'), repository.Github.Trim().Trim('/'), StringComparison.OrdinalIgnoreCase);
        }

        if (Normalize(repository.Url) is not { } expected)
        {
            return true;
        }

        var candidates = UrlFields.Select(f => Normalize(Text(named, f))).Where(u => u is not null).ToList();
        if (fullName is not null)
        {
            candidates.Add($"github.com/{fullName.ToLowerInvariant()}");
        }

        return candidates.Contains(expected, StringComparer.Ordinal);
    }

    /// <summary>The event's <c>repository.full_name</c>, or null.</summary>
    public static string? FullName(JsonElement payload) =>
        GitHubPayload.Object(payload, "repository") is { } named ? Text(named, "full_name") : null;

    /// <summary>
    /// <c>host/owner/name</c> in lower case for a URL with a host (<c>https://user@github.com:443/o/n.git</c>,
    /// <c>ssh://git@github.com/o/n</c>, <c>git@github.com:o/n.git</c>); null for local paths, <c>file://</c> and <c>sandbox</c>.
    /// </summary>
    public static string? Normalize(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var text = url.Trim();
        string hostAndPath;
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            if (text[..scheme].Equals("file", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            hostAndPath = text[(scheme + 3)..];
            var slash = hostAndPath.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0)
            {
                return null;
            }

            var authority = hostAndPath[..slash];
            authority = authority[(authority.LastIndexOf('@') + 1)..];
            var port = authority.IndexOf(':', StringComparison.Ordinal);
            hostAndPath = (port >= 0 ? authority[..port] : authority) + hostAndPath[slash..];
        }
        else
        {
            // scp-like syntax: [user@]host:owner/name; a colon after a slash (or a drive letter) is a local path.
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var firstSlash = text.IndexOf('/', StringComparison.Ordinal);
            if (colon <= 1 || (firstSlash >= 0 && firstSlash < colon))
            {
                return null;
            }

            var host = text[..colon];
            hostAndPath = host[(host.LastIndexOf('@') + 1)..] + "/" + text[(colon + 1)..].TrimStart('/');
        }

        hostAndPath = hostAndPath.TrimEnd('/');
        if (hostAndPath.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            hostAndPath = hostAndPath[..^4];
        }

        return hostAndPath.Contains('/', StringComparison.Ordinal) ? hostAndPath.ToLowerInvariant() : null;
    }
}
