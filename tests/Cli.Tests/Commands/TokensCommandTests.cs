using System.Security.Cryptography;
using System.Text;

namespace Gantry.Cli.Tests.Commands;

public sealed class TokensCommandTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private string Data => Path.Combine(_workspace.Root, ".gantry");

    [Fact]
    public void TokensCreate_PrintsTheTokenOnceAndStoresOnlyItsHash()
    {
        var result = CliTestApp.Run("tokens", "create", "--role", "operator", "--name", "ci-bot", "--data", Data);

        Assert.Equal(0, result.ExitCode);
        var token = result.Output.Split('\n')[0].Trim();
        Assert.StartsWith("gantry_", token, StringComparison.Ordinal);
        var stored = File.ReadAllText(Path.Combine(Data, "tokens.json"));
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        Assert.Contains($"\"sha256\": \"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))}\"", stored, StringComparison.Ordinal);
        Assert.Contains("\"role\": \"operator\"", stored, StringComparison.Ordinal);
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
        var entry = new Gantry.Server.Security.TokenStore(Path.Combine(Data, "tokens.json")).List().Single();
        Assert.Equal(TimeSpan.FromDays(90), entry.ExpiresAt - entry.CreatedAt);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Data, "tokens.json")));
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
        Assert.Equal("revoked token leaving; requests with it are refused from now on", result.Output.Trim());
        Assert.Null(new Gantry.Server.Security.TokenStore(Path.Combine(Data, "tokens.json")).Find(token));
        Assert.Equal(2, again.ExitCode);
        Assert.Equal("error: no token named 'leaving'; tokens: none", again.Output.Trim());
    }
}
