using System.Security.Cryptography;
using System.Text;

namespace Gantry.Cli.Tests.Commands;

public sealed class TokensCommandTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private string Data => Path.Combine(_workspace.Root, ".gantry");

    /// <summary>The tokens as the store holds them (what every server reads).</summary>
    private IReadOnlyList<Gantry.Engine.Stores.StoredToken> ListStored()
    {
        var stores = Gantry.Engine.Stores.RunStoreFactory.OpenAsync(Path.Combine(Data, "gantry.db"), _workspace.Root, TimeProvider.System, CancellationToken.None).GetAwaiter().GetResult();
        try
        {
            return stores.Tokens.ListAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            stores.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public void TokensCreate_PrintsTheTokenOnceAndStoresOnlyItsHash()
    {
        var result = CliTestApp.Run("tokens", "create", "--role", "operator", "--name", "ci-bot", "--data", Data);

        Assert.Equal(0, result.ExitCode);
        var token = result.Output.Split('\n')[0].Trim();
        Assert.StartsWith("gantry_", token, StringComparison.Ordinal);
        // Every byte of the store (the database file and its write-ahead log) holds the hash, never the value.
        var stored = Encoding.UTF8.GetString(Directory.EnumerateFiles(Data, "gantry.db*").SelectMany(File.ReadAllBytes).ToArray());
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        var entry = Assert.Single(ListStored());
        Assert.Equal(("ci-bot", "operator", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))), (entry.Name, entry.Role, entry.Sha256));
        Assert.Contains(entry.Sha256, stored, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Data, "tokens.json")));
    }

    [Fact]
    public void TokensList_TokensJsonOfAnOlderGantry_IsImportedOnceAndRenamed()
    {
        // tokens.json as Gantry kept it before store migration 5 (hashes only), one token with an expiry.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("gantry_legacy-value")));
        _workspace.Write(".gantry/tokens.json", $$"""
            [
              { "name": "old-ci", "role": "operator", "sha256": "{{hash}}", "createdAt": "2026-01-10T08:30:00+00:00", "expiresAt": "2027-01-10T08:30:00+00:00" }
            ]
            """);

        var result = CliTestApp.Run("tokens", "list", "--data", Data);
        var again = CliTestApp.Run("tokens", "list", "--data", Data);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("old-ci", again.Output, StringComparison.Ordinal);
        var entry = Assert.Single(ListStored());
        Assert.Equal(("old-ci", "operator", hash, new DateTimeOffset(2027, 1, 10, 8, 30, 0, TimeSpan.Zero)), (entry.Name, entry.Role, entry.Sha256, entry.ExpiresAt));
        Assert.False(File.Exists(Path.Combine(Data, "tokens.json")));
        Assert.True(File.Exists(Path.Combine(Data, "tokens.json.imported")));
    }

    [Fact]
    public void TokensCreate_UnknownRole_ExitsTwoNamingTheRoles()
    {
        var result = CliTestApp.Run("tokens", "create", "--role", "root", "--name", "x", "--data", Data);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --role 'root' is not a role; valid values are viewer, operator, approver, admin", result.Output.Trim());
    }

    [Fact]
    public void TokensCreate_SameNameTwice_ExitsTwo()
    {
        CliTestApp.Run("tokens", "create", "--role", "viewer", "--name", "dash", "--data", Data);

        var result = CliTestApp.Run("tokens", "create", "--role", "admin", "--name", "dash", "--data", Data);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: a token named 'dash' already exists; choose another name", result.Output.Trim());
    }

    [Fact]
    public void TokensList_ShowsNamesAndRolesButNoHashes()
    {
        CliTestApp.Run("tokens", "create", "--role", "admin", "--name", "release-lead", "--data", Data);

        var result = CliTestApp.Run("tokens", "list", "--data", Data);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("release-lead", result.Output, StringComparison.Ordinal);
        Assert.Contains("admin", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TokensCreate_WithExpires_StoresTheExpiryAndAFileOnlyItsOwnerReads()
    {
        var result = CliTestApp.Run("tokens", "create", "--role", "viewer", "--name", "short", "--expires", "90d", "--data", Data);

        Assert.Equal(0, result.ExitCode);
        var entry = Assert.Single(ListStored());
        Assert.Equal(TimeSpan.FromDays(90), entry.ExpiresAt - entry.CreatedAt);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Data, "gantry.db")));
    }

    [Fact]
    public void TokensCreate_BadExpires_ExitsTwo()
    {
        var result = CliTestApp.Run("tokens", "create", "--role", "viewer", "--name", "x", "--expires", "soon", "--data", Data);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --expires 'soon' is not a positive duration; write e.g. 90d, 12h or 30m", result.Output.Trim());
    }

    [Fact]
    public void TokensRevoke_RemovesTheTokenSoItIsNoLongerFound()
    {
        var token = CliTestApp.Run("tokens", "create", "--role", "admin", "--name", "leaving", "--data", Data).Output.Split('\n')[0].Trim();

        var result = CliTestApp.Run("tokens", "revoke", "leaving", "--data", Data);
        var again = CliTestApp.Run("tokens", "revoke", "leaving", "--data", Data);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("revoked token leaving; requests with it are refused from now on, by every server on this store", result.Output.Trim());
        Assert.Empty(ListStored());
        Assert.Equal(2, again.ExitCode);
        Assert.Equal("error: no token named 'leaving'; tokens: none", again.Output.Trim());
    }
}
