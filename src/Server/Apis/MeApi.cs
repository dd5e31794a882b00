using System.Security.Claims;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary>Who the caller is: the token's name and role (anonymous readers are viewers named <c>anonymous</c>).</summary>
public sealed record MeView(string Name, TokenRole Role);

/// <summary><c>GET /api/me</c>: lets the designer hide what the caller's role may not do before any 403.</summary>
internal static class MeApi
{
    public const string AnonymousName = "anonymous";

    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/me", Show).WithTags("Me").RequireAuthorization(Policies.Read);
        return app;
    }

    public static Ok<MeView> Show(ClaimsPrincipal user) =>
        TypedResults.Ok(Policies.Actor(user) is { } name
            ? new MeView(name, Policies.RoleOf(user))
            : new MeView(AnonymousName, TokenRole.Viewer));
}
