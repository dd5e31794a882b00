using Gantry.Engine.Expressions;

namespace Gantry.Engine.Tests.Security;

/// <summary>Masking plain values: secrets and URL credentials replaced at any depth, without copying what carries neither.</summary>
public sealed class SecretMaskerTests
{
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
}
