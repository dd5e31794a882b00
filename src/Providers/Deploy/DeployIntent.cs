namespace Gantry.Providers.Deploy;

/// <summary>What a deploy.release decided before touching a host, as journaled in its step.intent: the group, its hosts, the release.</summary>
internal sealed record DeployIntent(string? Group, IReadOnlyList<string> Hosts, ReleaseRef Source)
{
    public IReadOnlyDictionary<string, object?> ToPlain() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["group"] = Group,
        ["hosts"] = Hosts.Select(h => (object?)h).ToList(),
        ["release"] = Source.Release,
        ["ref"] = Source.Ref,
        ["commit"] = Source.Commit,
        ["fetch_commit"] = Source.FetchCommit,
    };

    /// <summary>The recorded intent, or null when nothing (or something unreadable) was recorded.</summary>
    public static DeployIntent? From(IReadOnlyDictionary<string, object?>? recorded)
    {
        if (recorded?.GetValueOrDefault("release") is not string release || recorded.GetValueOrDefault("hosts") is not IEnumerable<object?> hosts)
        {
            return null;
        }

        return new DeployIntent(
            recorded.GetValueOrDefault("group") as string,
            hosts.OfType<string>().ToList(),
            new ReleaseRef(
                release,
                recorded.GetValueOrDefault("ref") as string,
                recorded.GetValueOrDefault("commit") as string,
                recorded.GetValueOrDefault("fetch_commit") as string));
    }
}
