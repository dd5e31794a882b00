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

    /// <summary>Creates the token and its file when the store has no token; returns the file's path, or null when tokens exist.</summary>
    public static string? CreateIfNoTokens(TokenStore tokens, string dataDirectory, TimeProvider time)
    {
        if (tokens.List().Count > 0)
        {
            return null;
        }

        Directory.CreateDirectory(dataDirectory);
        var token = tokens.Create(Name, TokenRole.Admin, time);
        var path = Path.Combine(dataDirectory, FileName);
        PrivateFiles.WriteAllText(path, token + "\n");
        return path;
    }
}
