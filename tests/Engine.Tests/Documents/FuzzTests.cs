using System.Text;
using CsCheck;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Loading;
using Gantry.Engine.Tests.Validation;
using Gantry.Engine.Validation;

namespace Gantry.Engine.Tests.Documents;

/// <summary>Whatever text arrives, loading and validating end in a document or located diagnostics, never an unhandled exception.</summary>
public sealed class FuzzTests
{
    private const int Iterations = 300;
    private static readonly string[] Good = [ValidationFixtures.Rolling, ValidationFixtures.Hotfix, ValidationFixtures.Environment, JsonRolling()];
    private static readonly string[] Words = ["id", "steps", "uses", "with", "group", "parallel", "foreach", "as", "inputs", "outputs", "on_failure", "finally",
        "if", "retry", "timeout", "workflow.call", "lb.flip", "deploy.release", "{{ steps.a.outputs.b }}", "{{ inputs.x", "hosts", "groups", "-1", "1e400", "null", "~", "&a", "*a", "&a [*a]", "!!str", "'"];

    [Fact]
    public void Load_RandomBytes_EndsInDocumentOrLocatedDiagnostics() =>
        Gen.Byte.Array[0, 400].Sample(bytes => Check(Encoding.UTF8.GetString(bytes)), iter: Iterations);

    [Fact]
    public void Load_TruncatedGoodDocuments_EndInDocumentOrLocatedDiagnostics() =>
        Gen.Int[0, Good.Length - 1].Select(Gen.Double[0, 1]).Sample((doc, cut) =>
        {
            var text = Good[doc];
            Check(text[..(int)(text.Length * cut)]);
        }, iter: Iterations);

    [Fact]
    public void Load_MutatedGoodDocuments_EndInDocumentOrLocatedDiagnostics() =>
        Gen.Int[0, Good.Length - 1].Select(Gen.Int[0, 10_000].Array[1, 6], Gen.Char["{}[]:,-#&*!|>'\" \n\tab1{%"].Array[6]).Sample((doc, positions, chars) =>
        {
            var text = new StringBuilder(Good[doc]);
            for (var i = 0; i < positions.Length; i++)
            {
                var at = positions[i] % text.Length;
                if (i % 3 == 0)
                {
                    text.Remove(at, 1);
                }
                else
                {
                    text.Insert(at, chars[i]);
                }
            }

            Check(text.ToString());
        }, iter: Iterations);

    [Fact]
    public void Load_RandomNesting_EndsInDocumentOrLocatedDiagnostics() =>
        Gen.Int.Select(Gen.Bool).Sample((seed, json) =>
        {
            var random = new Random(seed);
            var builder = new StringBuilder();
            if (json)
            {
                Json(random, builder, 0);
            }
            else
            {
                Yaml(random, builder, 0, 0);
            }

            Check(builder.ToString());
        }, iter: Iterations);

    private static void Check(string text)
    {
        foreach (var file in new[] { "fuzz.yaml", "fuzz.json" })
        {
            var workflow = DocumentLoader.LoadWorkflow(text, file);
            AssertLocated(workflow.Diagnostics);
            if (workflow.Value is not null)
            {
                AssertLocated(new WorkflowValidator().Validate(workflow.Value, ValidationFixtures.Context(ValidationFixtures.Prod)));
            }

            AssertLocated(DocumentLoader.LoadEnvironment(text, file).Diagnostics);
        }
    }

    internal static void AssertLocated(IReadOnlyList<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            Assert.True(diagnostic.Location.Line >= 1 && diagnostic.Location.Column >= 1 && diagnostic.Location.File.StartsWith("fuzz.", StringComparison.Ordinal), $"not located: {diagnostic}");
        }
    }

    private static string Word(Random random) => Words[random.Next(Words.Length)];

    private static void Yaml(Random random, StringBuilder builder, int indent, int depth)
    {
        var pad = new string(' ', indent);
        var count = random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var sequence = random.Next(3) == 0;
            builder.Append(pad).Append(sequence ? "- " : Word(random) + ": ");
            switch (depth > 4 ? 0 : random.Next(4))
            {
                case 0:
                    builder.Append(Word(random)).Append('\n');
                    break;
                case 1:
                    builder.Append("[").Append(Word(random)).Append(", { ").Append(Word(random)).Append(": ").Append(Word(random)).Append(" }]\n");
                    break;
                default:
                    builder.Append('\n');
                    Yaml(random, builder, indent + 2, depth + 1);
                    break;
            }
        }
    }

    private static void Json(Random random, StringBuilder builder, int depth)
    {
        switch (depth > 4 ? random.Next(2) : random.Next(4))
        {
            case 0:
                builder.Append('"').Append(Word(random).Replace("\"", "", StringComparison.Ordinal)).Append('"');
                break;
            case 1:
                builder.Append(random.Next(3) switch { 0 => "true", 1 => "null", _ => "12" });
                break;
            case 2:
                builder.Append('[');
                for (var i = random.Next(3); i > 0; i--)
                {
                    Json(random, builder, depth + 1);
                    builder.Append(i > 1 ? "," : "");
                }

                builder.Append(']');
                break;
            default:
                builder.Append('{');
                for (var i = random.Next(4); i > 0; i--)
                {
                    builder.Append('"').Append(Word(random).Replace("\"", "", StringComparison.Ordinal)).Append("\":");
                    Json(random, builder, depth + 1);
                    builder.Append(i > 1 ? "," : "");
                }

                builder.Append('}');
                break;
        }
    }

    private static string JsonRolling() => """
        {
          "id": "j",
          "inputs": { "tag": { "type": "string", "default": "v1" } },
          "steps": [
            { "id": "latest", "uses": "git.latest-tag", "with": { "ref": "{{ inputs.tag }}" } },
            { "uses": "deploy.release", "with": { "target": "out", "tag": "{{ steps.latest.outputs.tag }}" } },
            { "group": [ { "uses": "lb.flip" } ], "finally": [ { "uses": "lb.all" } ] }
          ]
        }
        """;
}
