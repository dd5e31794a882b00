using System.Security.Cryptography;
using System.Text;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Tests.Ssh;

public sealed class KnownHostsTests : IDisposable
{
    private static readonly byte[] KeyA = Blob("ssh-ed25519", 1);
    private static readonly byte[] KeyB = Blob("ssh-ed25519", 2);
    private static readonly byte[] RsaKey = Blob("ssh-rsa", 3);
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData("web1.example.com", 22, true)]
    [InlineData("WEB1.example.com", 22, true)]
    [InlineData("web1.example.com", 2222, false)]
    [InlineData("10.0.0.5", 2222, true)]
    [InlineData("10.0.0.5", 22, false)]
    [InlineData("web7.prod", 22, true)]
    [InlineData("web9.prod", 22, false)]
    [InlineData("other", 22, false)]
    public void Check_PlainPatterns_MatchLikeOpenSsh(string address, int port, bool trusted)
    {
        var known = Load(
            $"web1.example.com,10.0.0.4 {Line(KeyA)}",
            $"[10.0.0.5]:2222 {Line(KeyA)}",
            $"web?.prod,!web9.prod {Line(KeyA)}");

        var verdict = known.Check(address, port, KeyA);

        Assert.Equal(trusted, verdict.Problem is null);
    }

    [Fact]
    public void Check_HashedEntry_MatchesOnlyItsHostAndPort()
    {
        var salt = RandomNumberGenerator.GetBytes(20);
#pragma warning disable CA5350 // the hashed known_hosts format is HMAC-SHA1
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes("[10.0.0.5]:2222"));
#pragma warning restore CA5350
        var known = Load($"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)} {Line(KeyA)}");

        Assert.Null(known.Check("10.0.0.5", 2222, KeyA).Problem);
        Assert.Equal(HostKeyProblem.Unknown, known.Check("10.0.0.5", 22, KeyA).Problem);
    }

    [Fact]
    public void Check_SameTypeOtherKey_IsChangedAndNamesTheLine()
    {
        var known = Load("# comment", $"host {Line(RsaKey)}", $"host {Line(KeyB)}");

        var verdict = known.Check("host", 22, KeyA);

        Assert.Equal((HostKeyProblem.Changed, 3), (verdict.Problem, verdict.Expected!.Line));
    }

    [Fact]
    public void Check_OnlyOtherKeyTypesKnown_IsUnknown()
    {
        var known = Load($"host {Line(RsaKey)}");

        Assert.Equal(HostKeyProblem.Unknown, known.Check("host", 22, KeyA).Problem);
        Assert.Equal(["ssh-rsa"], known.KnownKeyTypes("host", 22));
    }

    [Fact]
    public void Check_RevokedKey_IsRevokedEvenWhenAlsoListed()
    {
        var known = Load($"host {Line(KeyA)}", $"@revoked * {Line(KeyA)}");

        Assert.Equal(HostKeyProblem.Revoked, known.Check("host", 22, KeyA).Problem);
    }

    [Fact]
    public void Fingerprint_IsUnpaddedBase64Sha256()
    {
        Assert.Equal("SHA256:" + Convert.ToBase64String(SHA256.HashData(KeyA)).TrimEnd('='), KnownHosts.Fingerprint(KeyA));
        Assert.Equal("ssh-ed25519", KnownHosts.KeyTypeOf(KeyA));
    }

    private KnownHosts Load(params string[] lines)
    {
        File.WriteAllLines(_path, lines);
        return KnownHosts.Load(_path);
    }

    private static string Line(byte[] blob) => $"{KnownHosts.KeyTypeOf(blob)} {Convert.ToBase64String(blob)}";

    private static byte[] Blob(string type, byte seed)
    {
        var name = Encoding.ASCII.GetBytes(type);
        var blob = new byte[4 + name.Length + 4 + 32];
        blob[3] = (byte)name.Length;
        name.CopyTo(blob, 4);
        blob[4 + name.Length + 3] = 32;
        blob.AsSpan(8 + name.Length).Fill(seed);
        return blob;
    }
}
