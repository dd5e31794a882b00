using Gantry.Engine.Expressions;

namespace Gantry.Engine.Tests.Security;

/// <summary>Masking plain values: secrets and URL credentials replaced at any depth, without copying what carries neither.</summary>
public sealed class SecretMaskerTests
{
    /// <summary>A secret with a character each encoding changes: quote, space, slash, plus, at, double quote, bang.</summary>
    private const string Awkward = "pa'ss w/rd+@x\"z!";

    private readonly SecretMasker _masker = new();

    public SecretMaskerTests() => _masker.Add("s3cret-token");

    [Fact]
    public void Apply_NothingSecretAtAnyDepth_ReturnsTheSameInstances()
    {
        var nested = new List<object?> { "plain", 3L, null, new Dictionary<string, object?> { ["url"] = "https://example.invalid/app.git" } };
        var value = new Dictionary<string, object?> { ["name"] = "web1", ["ports"] = nested, ["ok"] = true };

        var masked = _masker.Apply(value);

        Assert.Same(value, masked);
        Assert.Same(nested, ((IReadOnlyDictionary<string, object?>)masked!)["ports"]);
    }

    [Fact]
    public void Apply_SecretDeepInside_CopiesThePathToItAndLeavesTheOriginalUnchanged()
    {
        var untouched = new Dictionary<string, object?> { ["kept"] = "plain" };
        var list = new List<object?> { "first", "Bearer s3cret-token", "https://deployer:pw-1234@git.example.invalid/app.git" };
        var value = new Dictionary<string, object?> { ["before"] = untouched, ["headers"] = list, ["after"] = 7L };

        var masked = (IReadOnlyDictionary<string, object?>)_masker.Apply(value)!;

        Assert.NotSame(value, masked);
        Assert.Equal(["before", "headers", "after"], masked.Keys);
        Assert.Same(untouched, masked["before"]);
        Assert.Equal(new List<object?> { "first", "Bearer ***", "https://***@git.example.invalid/app.git" }, masked["headers"]);
        Assert.Equal(7L, masked["after"]);
        Assert.Equal("Bearer s3cret-token", list[1]);
    }

    [Theory]
    [InlineData("curl: url=https://example.invalid/health?token=pa%27ss%20w%2Frd%2B%40x%22z%21", "curl: url=https://example.invalid/health?token=***")]
    [InlineData("node: pa'ss%20w%2Frd%2B%40x%22z! (encodeURIComponent)", "node: *** (encodeURIComponent)")]
    [InlineData("form: pass=pa%27ss+w%2Frd%2B%40x%22z!", "form: pass=***")]
    [InlineData("{\"t\":\"pa'ss w/rd+@x\\\"z!\"}", "{\"t\":\"***\"}")]
    [InlineData("{\"t\":\"pa\\u0027ss w/rd\\u002B@x\\u0022z!\"}", "{\"t\":\"***\"}")]
    [InlineData("+ sh -c 'echo pa'\\''ss w/rd+@x\"z!' failed", "+ sh -c 'echo ***' failed")]
    [InlineData("token: cGEnc3Mgdy9yZCtAeCJ6IQ==", "token: ***")]
    public void Apply_SecretAsToolsPrintIt_IsMaskedInEachForm(string printed, string expected)
    {
        var masker = MaskerOf(Awkward);

        Assert.Equal(expected, masker.Apply(printed));
    }

    /// <summary>
    /// <c>curl -v -u USER:SECRET</c> prints base64 of both: the secret's bytes start anywhere in a 3-byte group, and what
    /// encodes only them is masked (expected values from coreutils' <c>base64</c>; at most two bytes show at each end).
    /// </summary>
    [Theory]
    [InlineData("deployer:", "ZGVwbG95ZXI6cGEnc3Mgdy9yZCtAeCJ6IQ==", "ZGVwbG95ZXI6***")]
    [InlineData("ops:", "b3BzOnBhJ3NzIHcvcmQrQHgieiE=", "b3BzOnBh***eiE=")]
    [InlineData("ci:", "Y2k6cGEnc3Mgdy9yZCtAeCJ6IQ==", "Y2k6***")]
    [InlineData("user:", "dXNlcjpwYSdzcyB3L3JkK0B4Inoh", "dXNlcjpw***")]
    [InlineData("web:", "d2ViOnBhJ3NzIHcvcmQrQHgieiE=", "d2ViOnBh***eiE=")]
    [InlineData("gantry:", "Z2FudHJ5OnBhJ3NzIHcvcmQrQHgieiE=", "Z2FudHJ5OnBh***eiE=")]
    public void Apply_SecretInsideALongerBase64Text_OnlyItsEdgesShow(string user, string basic, string expected)
    {
        var masker = MaskerOf(Awkward);
        Assert.Equal(basic, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(user + Awkward)));

        Assert.Equal("> Authorization: Basic " + expected, masker.Apply("> Authorization: Basic " + basic));
    }

    [Fact]
    public void Apply_SecretFollowedByMoreBytesInBase64_ItsWholeGroupsAreMasked()
    {
        var masker = MaskerOf(Awkward);

        // base64 of "user:" + secret + "X": the secret's last group shares its bytes with the X.
        Assert.Equal("dXNlcjpw***WA==", masker.Apply("dXNlcjpwYSdzcyB3L3JkK0B4InohWA=="));
    }

    [Fact]
    public void Apply_ShortSecret_HasNoPartialBase64Form()
    {
        var masker = MaskerOf("abc12"); // base64 YWJjMTI=; fewer than 6 whole bytes, so no middle part that could match by chance

        Assert.Equal("*** and ***", masker.Apply("abc12 and YWJjMTI="));
        Assert.Equal("YWJj", masker.Apply("YWJj"));
    }

    private static SecretMasker MaskerOf(string secret)
    {
        var masker = new SecretMasker();
        masker.Add(secret);
        return masker;
    }
}
