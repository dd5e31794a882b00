using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Gantry.Server.Security;

/// <summary>The three authorization policies: read (viewer, or anyone with --allow-anonymous-read), operate, administer.</summary>
internal static class Policies
{
    public const string Read = "read";
    public const string Operate = "operate";
    public const string Administer = "administer";

    public static void Add(AuthorizationOptions options, bool allowAnonymousRead)
    {
        options.AddPolicy(Read, p => p.RequireAssertion(c => allowAnonymousRead || RoleOf(c.User) >= TokenRole.Viewer));
        options.AddPolicy(Operate, p => p.RequireAuthenticatedUser().RequireAssertion(c => RoleOf(c.User) >= TokenRole.Operator));
        options.AddPolicy(Administer, p => p.RequireAuthenticatedUser().RequireAssertion(c => RoleOf(c.User) >= TokenRole.Admin));
    }

    /// <summary>
    /// Whether the caller may satisfy a merge gate (deliver <c>pull_request</c> signals by hand): an
    /// approver or an admin. Operators run releases; they do not get to say the code was merged and reviewed.
    /// </summary>
    public static bool MaySatisfyMergeGate(ClaimsPrincipal user) => RoleOf(user) >= TokenRole.Approver;

    /// <summary>Who sent a merge-gate signal, as the journal records it: <c>token:NAME (role)</c>.</summary>
    public static string MergeGateActor(ClaimsPrincipal user) => $"token:{Actor(user)} ({RoleOf(user).ToString().ToLowerInvariant()})";

    /// <summary>The caller's token name, for journals (who signalled, approved or cancelled).</summary>
    public static string? Actor(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;

    /// <summary>The caller's role; 0 when it has no token.</summary>
    public static TokenRole RoleOf(ClaimsPrincipal user) =>
        Enum.TryParse<TokenRole>(user.FindFirstValue(BearerTokenHandler.RoleClaim), out var role) ? role : 0;
}
