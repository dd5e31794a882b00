using BenchmarkDotNet.Attributes;
using Gantry.Engine.Documents;
using Gantry.Engine.Expressions;

namespace Gantry.Benchmarks;

/// <summary>
/// One template render late in a big run: the scope holds an environment of 200 hosts and the
/// outputs of N earlier steps, and the template reads one earlier output (the common case,
/// e.g. <c>{{ steps.tag.outputs.tag }}</c>) or builds a string from two values.
/// </summary>
[MemoryDiagnoser]
[QuickJob(iterationCount: 5)]
public class TemplateRenderBenchmarks
{
    private TemplateScope _scope = new();
    private DocScalar _whole = null!;
    private DocScalar _mixed = null!;

    [Params(10, 500)]
    public int EarlierSteps { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        var hosts = Enumerable.Range(1, 200).ToDictionary(
            i => $"web{i}",
            i => (object?)new Dictionary<string, object?> { ["name"] = $"web{i}", ["address"] = $"10.0.{i / 250}.{i % 250}" });
        var steps = Enumerable.Range(1, EarlierSteps).ToDictionary(
            i => $"s{i}",
            i => (object?)new Dictionary<string, object?>
            {
                ["status"] = "succeeded",
                ["outputs"] = new Dictionary<string, object?> { ["tag"] = $"v3.0.{i}", ["hosts"] = new List<object?> { "web1", "web2" } },
            });
        _scope = new TemplateScope()
            .Set("env", new Dictionary<string, object?> { ["id"] = "prod", ["hosts"] = hosts })
            .Set("inputs", new Dictionary<string, object?> { ["version"] = "3.0.1" })
            .Set("steps", steps);
        _whole = Scalar("{{ steps.s1.outputs.tag }}");
        _mixed = Scalar("release {{ inputs.version }} to {{ env.id }}");
    }

    [Benchmark]
    public object? WholeExpression() => TemplateRenderer.Evaluate(_whole, _scope);

    [Benchmark]
    public object? MixedText() => TemplateRenderer.Evaluate(_mixed, _scope);

    private static DocScalar Scalar(string text) => new(text, ScalarKind.String, new SourceLocation("bench.yaml", 1, 1));
}
