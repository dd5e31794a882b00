using Gantry.Engine.Stores;

namespace Gantry.Server.Security;

/// <summary>
/// On the first start (no tokens yet) one admin token is made so a new user can sign in without
/// another set-up step. Its value goes to <c>first-admin.token</c> in the data folder, mode 0600,
/// never to the console or a log (service logs are read by more people than admins).
/// </summary>
public static class FirstAdminToken
{
    public const string FileName = "first-admin.token";

    public const string Name = "first-admin";

    /// <summary>Creates the token and its file when the store (shared by every node) has no token; returns the file's path, or null when tokens
    /// exist.</summary>
    public static async Task<string?> CreateIfNoTokensAsync(
        TokenStore tokens,
        string dataDirectory,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if ((await tokens.ListAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            return null;
        }

        Directory.CreateDirectory(dataDirectory);
        string token;
        try
        {
            token = await tokens.CreateAsync(Name, TokenRole.Admin, time, null, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            // Another node on the same store made it between the check and now.
            return null;
        }

        var path = Path.Combine(dataDirectory, FileName);
        PrivateFiles.WriteAllText(path, token + "\n");
        return path;
    }
}
