namespace Gantry.Providers.Deploy;

/// <summary>Which release a rollback goes to and which hosts no longer keep it.</summary>
/// <param name="Release">The release every host ends on.</param>
/// <param name="Missing">Hosts without a complete copy of it (they need a fetch).</param>
internal sealed record RollbackPlan(string Release, IReadOnlyList<string> Missing);

/// <summary>
/// Decides a rollback before anything is touched. Without <c>to</c> the target is the release the
/// fleet was on before its newest deploy: every host on one release goes to the previous release
/// they share; hosts split between two releases (a rollout that stopped part-way) go to the one
/// the others were deployed over. Anything else is ambiguous and must be named.
/// </summary>
internal static class RollbackPlanner
{
    /// <exception cref="DeployException">A host cannot be read, the target is ambiguous, or hosts lack it and fetching is not allowed.</exception>
    public static RollbackPlan Plan(string environmentId, IReadOnlyList<HostReleaseState> hosts, string? to, bool fetch)
    {
        var unreadable = hosts.Where(h => h.Error is not null).ToList();
        if (unreadable.Count > 0)
        {
            throw new DeployException(
                $"cannot roll back {environmentId}: "
                + $"{string.Join("; ", unreadable.Select(h => $"{h.Host} cannot be read ({h.Error!.ReplaceLineEndings(" ")})"))}; nothing was "
                + "changed");
        }

        var release = string.IsNullOrWhiteSpace(to) ? Infer(environmentId, hosts) : to;
        var missing = hosts.Where(h => !h.Releases.Contains(release, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0 && !fetch)
        {
            var kept = string.Join("; ", missing.Select(h => $"{h.Host} keeps {(h.Releases.Count == 0 ? "none" : string.Join(", ", h.Releases))}"));
            throw new DeployException(
                $"refusing to roll back {environmentId} to {release}: {string.Join(", ", missing.Select(h => h.Host))} "
                + $"{(missing.Count == 1 ? "no longer has" : "no longer have")} it ({kept}); nothing was changed. "
                    + $"To clone it again on {(missing.Count == 1 ? "that host" : "those hosts")}: gantry rollback --env {environmentId} --to "
                    + $"{release} --fetch");
        }

        return new RollbackPlan(release, missing.Select(h => h.Host).ToList());
    }

    private static string Infer(string environmentId, IReadOnlyList<HostReleaseState> hosts)
    {
        var empty = hosts.Where(h => h.Current is null).Select(h => h.Host).ToList();
        if (empty.Count > 0)
        {
            throw new DeployException(
                $"cannot roll back {environmentId}: {string.Join(", ", empty)} {(empty.Count == 1 ? "has" : "have")} no current release; nothing "
                + "was changed");
        }

        var currents = hosts.Select(h => h.Current!).Distinct(StringComparer.Ordinal).ToList();
        if (currents.Count == 1)
        {
            var noPrevious = hosts.Where(h => h.Previous is null).ToList();
            if (noPrevious.Count > 0)
            {
                var foreign = noPrevious.Where(h => h.Foreign.Any(f => f != h.Current)).ToList();
                var adopt =
                    foreign.Count == 0
                        ? ""
                        : $"; {string.Join(", ", foreign.Select(h => h.Host))} {(foreign.Count == 1 ? "keeps" : "keep")} releases another tool "
                            + "deployed ("
                            + string.Join("; ", foreign.Select(h => $"{h.Host}: {string.Join(", ", h.Foreign.Where(f => f != h.Current))}"))
                            + "), "
                            + $"which Gantry goes back to once recorded: gantry deploy adopt --env {environmentId}";
                throw new DeployException(
                    $"cannot roll back {environmentId}: there is no release older than {currents[0]} on "
                    + $"{string.Join(", ", noPrevious.Select(h => h.Host))}{adopt}; name a release with --to; nothing was changed");
            }

            var previous = hosts.Select(h => h.Previous!).Distinct(StringComparer.Ordinal).ToList();
            return previous.Count == 1
                ? previous[0]
                : throw new DeployException(
                    $"cannot roll back {environmentId}: the hosts were on different releases before {currents[0]} "
                    + $"({Describe(hosts, h => h.Previous)}); name the release with --to; nothing was changed");
        }

        // Part-way rollout: the hosts on the newer release were all deployed over the other one.
        var candidates = currents.Count == 2
            ? currents.Where(c => hosts.Where(h => h.Current != c).All(h => h.Previous == c)).ToList()
            : [];
        return candidates.Count == 1
            ? candidates[0]
            : throw new DeployException(
                $"cannot roll back {environmentId}: the hosts are on different releases ({Describe(hosts, h => h.Current)}); name the release to go "
                + "back to with --to; nothing was changed");
    }

    private static string Describe(IReadOnlyList<HostReleaseState> hosts, Func<HostReleaseState, string?> release) =>
        string.Join(", ", hosts.Select(h => $"{h.Host} {release(h) ?? "none"}"));
}
