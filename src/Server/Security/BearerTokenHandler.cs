using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Security;

/// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against the token store; the identity's name is the token's name.</summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenStore tokens
) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string RoleClaim = "gantry:role";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        // Asked from the shared store on every request: a revoke through any node counts from the next one.
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || await tokens.FindAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted).ConfigureAwait(false) is not { } entry)
        {
            return AuthenticateResult.Fail("the bearer token is not known");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, entry.Name), new Claim(RoleClaim, entry.Role.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
