using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary><c>DELETE /api/tokens/{name}</c> (admin): revokes a token; the next request with it is refused.</summary>
internal static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/tokens/{name}", Revoke).RequireAuthorization(Policies.Administer).WithTags("Tokens");
        return app;
    }

    public static Results<NoContent, ProblemHttpResult> Revoke(string name, TokenStore tokens) =>
        tokens.Revoke(name)
            ? TypedResults.NoContent()
            : Problems.NotFound($"no token named '{name}'{Engine.Diagnostics.Suggest.Hint(name, tokens.List().Select(t => t.Name))}");
}
