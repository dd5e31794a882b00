using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary><c>DELETE /api/tokens/{name}</c> (admin): revokes a token in the shared store; the next request with it, to any server on the store, is
/// refused.</summary>
internal static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/tokens/{name}", Revoke).RequireAuthorization(Policies.Administer).WithTags("Tokens");
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string name, TokenStore tokens, CancellationToken cancellationToken) =>
        await tokens.RevokeAsync(name, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound(
                $"no token named '{name}'{Engine.Diagnostics.Suggest.Hint(name, (await tokens.ListAsync(cancellationToken)).Select(t => t.Name))}");
}
