using System.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Expressions;

namespace Gantry.Engine.Tests.Validation;

/// <summary>Escape attempts through templates end in a clear <see cref="TemplateException"/>, within the sandbox's limits.</summary>
public sealed class TemplateSandboxTests
{
    private static readonly DocScalar Location = new("", ScalarKind.String, new SourceLocation("t.yaml", 4, 11)) { Quoted = true };

    private static TemplateException Fails(string template, TemplateScope? scope = null)
    {
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<TemplateException>(() => TemplateRenderer.Evaluate(Location with { Text = template }, scope ?? new TemplateScope()));
        Assert.True(watch.Elapsed < TemplateRenderer.TimeLimit + TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        return error;
    }

    [Fact]
    public void Render_MemberAccessOnDotNetObject_IsNotReachable()
    {
        // A .NET object put into the scope becomes plain text; none of its members can be read.
        var scope = new TemplateScope().Set("uri", new Uri("https://example.invalid/x"));

        var error = Fails("{{ uri.Host }}", scope);

        Assert.StartsWith("t.yaml:4:", error.Message, StringComparison.Ordinal);
        Assert.Equal("https://example.invalid/x", TemplateRenderer.Evaluate(Location with { Text = "{{ uri }}" }, scope));
    }

    [Fact]
    public void Render_AssignToABuiltinObject_FailsAndLeavesNothingForTheNextRender()
    {
        // The builtin functions are shared by every render: a template must not be able to change them.
        var error = Fails("{{ string.upcase = 'pwned' }}");

        Assert.StartsWith("t.yaml:4:", error.Message, StringComparison.Ordinal);
        Assert.Equal("ABC", TemplateRenderer.Evaluate(Location with { Text = "{{ 'abc' | string.upcase }}" }, new TemplateScope()));
    }

    [Fact]
    public void Render_GlobalAssignedInOneRender_IsNotVisibleInTheNext()
    {
        var scope = new TemplateScope().Set("inputs", new Dictionary<string, object?> { ["v"] = "1" });
        TemplateRenderer.Evaluate(Location with { Text = "{{ leftover = 'x'; inputs = 'replaced' }}" }, scope);

        var error = Fails("{{ leftover }}", scope);

        Assert.Contains("leftover", error.Reason, StringComparison.Ordinal);
        Assert.Equal("1", TemplateRenderer.Evaluate(Location with { Text = "{{ inputs.v }}" }, scope));
    }

    [Fact]
    public void Render_GetTypeOnString_Fails()
    {
        Fails("{{ 'x'.GetType }}");
    }

    [Fact]
    public void Render_Include_SaysTemplatesCannotReadFiles()
    {
        var error = Fails("{{ include 'secrets.txt' }}");

        Assert.Contains("include", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_TemplateOutlivingTheTimeLimit_FailsNamingTheLimit()
    {
        // Scriban counts every iteration of a render against the loop limit (nested loops and ranges
        // included), so the slow work is in a builtin: one loop well under the limit, each iteration
        // padding a string to 20,000 characters, runs far longer than 5 ms on any machine.
        using var limit = TemplateRenderer.OverrideTimeLimit(TimeSpan.FromMilliseconds(5));

        var error = Fails("{{ for i in 1..5000; x = '' | string.pad_left 20000; end }}");

        Assert.Equal("t.yaml:4:11: template error: the template ran longer than its 5ms limit", error.Message);
    }

    [Fact]
    public void OverrideTimeLimit_Disposed_RestoresTheDefault()
    {
        using (TemplateRenderer.OverrideTimeLimit(TimeSpan.FromMilliseconds(100)))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(100), TemplateRenderer.CurrentTimeLimit);
        }

        Assert.Equal(TimeSpan.FromSeconds(10), TemplateRenderer.CurrentTimeLimit);
    }

    [Fact]
    public void Render_InfiniteWhileLoop_StopsAtTheLoopLimit()
    {
        var error = Fails("{{ while true; end }}");

        Assert.Equal($"loop limit of {TemplateRenderer.LoopLimit} iterations exceeded", error.Reason);
    }

    [Fact]
    public void Render_UnboundedRecursion_StopsAtTheRecursionLimit()
    {
        var error = Fails("{{ func f; f; end; f }}");

        Assert.Equal($"recursion limit of {TemplateRenderer.RecursionLimit} exceeded", error.Reason);
    }

    [Fact]
    public void Render_UndefinedVariable_FailsInsteadOfRenderingEmpty()
    {
        var error = Fails("{{ nothing_here }}");

        Assert.Contains("nothing_here", error.Reason, StringComparison.Ordinal);
    }
}
