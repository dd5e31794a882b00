using System.Text;
using CsCheck;
using Gantry.Engine.Loading;
using Gantry.Engine.Tests.Validation;
using Gantry.Engine.Validation;
using Gantry.Testing.Fleet;

namespace Gantry.Engine.Tests.Documents;

/// <summary>
/// 10,000 generated and mutated documents (workflows, environments, alias structures, wide and deep
/// JSON, webhook-shaped payloads) through the loaders and the validator: no unhandled exception, every
/// problem located, each document under 1 s of CPU per MB (and under 3 s) and under 200 MB of allocations.
/// </summary>
public sealed class HostileDocumentFuzzTests
{
    private const int PerGenerator = 2_500;
    private const long MaxAllocatedBytes = 200L * 1024 * 1024;
    private static readonly string[] Good = [ValidationFixtures.Rolling, ValidationFixtures.Hotfix, ValidationFixtures.Environment];
    private static readonly string[] Snippets = ["&a", "*a", "&b [*a, *a]", "<<: *a", "{{", "}}", "{{ secrets.x | string.upcase }}", "{%{", "!!binary", "? ", "|\n", ">-\n", "\t", "\"\\u0000\"", "1e400", "-", ": ", "---\n", "..."];

    [Fact]
    public void Load_MutatedDocuments_EndInDocumentOrLocatedDiagnosticsWithinBudget() =>
        Gen.Int[0, Good.Length - 1].Select(Gen.Int[0, 100_000].Array[1, 8], Gen.Int[0, Snippets.Length - 1].Array[8]).Sample((doc, positions, snippets) =>
        {
            var text = new StringBuilder(Good[doc]);
            for (var i = 0; i < positions.Length; i++)
            {
                var at = positions[i] % (text.Length + 1);
                if (i % 3 == 0 && at < text.Length)
                {
                    text.Remove(at, Math.Min(1 + (positions[i] % 7), text.Length - at));
                }
                else
                {
                    text.Insert(at, Snippets[snippets[i]]);
                }
            }

            Check(text.ToString());
        }, iter: PerGenerator);

    [Fact]
    public void Load_GeneratedAliasStructures_AreRefusedOrLoadedWithinBudget() =>
        Gen.Int[1, 12].Select(Gen.Int[1, 30], Gen.Bool, Gen.Int[0, 3]).Sample((levels, fanOut, inSteps, flavour) =>
        {
            var text = new StringBuilder("id: aliases\n");
            text.Append("a0: &a0 ").Append(flavour == 0 ? "{ uses: log, with: { message: x } }" : "[x, y]").Append('\n');
            for (var i = 1; i <= levels; i++)
            {
                text.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", fanOut))}]\n");
            }

            text.Append(inSteps ? $"steps: *a{levels}\n" : "steps: []\n");
            if (flavour == 3)
            {
                text.Append("loop: &loop [*loop]\n");
            }

            Check(text.ToString());
        }, iter: PerGenerator, threads: 1);

    [Fact]
    public void Load_WideDeepAndDuplicatedJson_EndInDocumentOrLocatedDiagnosticsWithinBudget() =>
        Gen.Int[0, 3].Select(Gen.Int[1, 3_000], Gen.Int[0, 200]).Sample((shape, width, depth) =>
        {
            var json = new StringBuilder();
            switch (shape)
            {
                case 0:
                    json.Append("{\"id\":\"wide\"");
                    for (var i = 0; i < width; i++)
                    {
                        json.Append(",\"k").Append(i % (width / 2 + 1)).Append("\":").Append(i);
                    }

                    json.Append('}');
                    break;
                case 1:
                    json.Append(string.Concat(Enumerable.Repeat("{\"a\":", depth))).Append("1").Append(string.Concat(Enumerable.Repeat("}", depth)));
                    break;
                case 2:
                    json.Append("{\"id\":\"list\",\"steps\":[").Append(string.Join(",", Enumerable.Repeat("{\"uses\":\"log\",\"with\":{\"message\":\"{{ inputs.x\"}}", width % 300))).Append("]}");
                    break;
                default:
                    json.Append(string.Concat(Enumerable.Repeat("[", depth))).Append(string.Concat(Enumerable.Repeat("]", depth)));
                    break;
            }

            Check(json.ToString());
        }, iter: PerGenerator);

    [Fact]
    public void Load_MutatedWebhookAndSignalPayloads_EndInValueOrLocatedDiagnostics() =>
        Gen.Int[0, 2].Select(Gen.Int[0, 100_000].Array[0, 6], Gen.Char["{}[]:,\"\\ \n0a-"].Array[6]).Sample((kind, positions, chars) =>
        {
            var payload = new StringBuilder(kind switch
            {
                0 => """{"ref":"refs/heads/develop","after":"4f1c2a9e","repository":{"full_name":"team/app","pushed_at":1764000000},"pusher":{"name":"dev"}}""",
                1 => """{"action":"closed","pull_request":{"merged":true,"base":{"ref":"hotfix/3.0.1"},"head":{"sha":"4f1c2a9e"},"updated_at":"2026-11-28T10:40:22Z"},"repository":{"full_name":"team/app"}}""",
                _ => """{"approved":true,"comment":"looks good {{ secrets.x }}","by":["a","b"]}""",
            });
            for (var i = 0; i < positions.Length; i++)
            {
                payload.Insert(positions[i] % (payload.Length + 1), chars[i]);
            }

            Check(payload.ToString());
        }, iter: PerGenerator);

    /// <summary>Loads and validates once untimed, so the first timed document does not pay for JIT and Scriban's set-up.</summary>
    static HostileDocumentFuzzTests()
    {
        foreach (var good in Good)
        {
            DocumentLoader.LoadWorkflow(good, "warm.yaml");
            DocumentLoader.LoadEnvironment(good, "warm.yaml");
        }
    }

    private const double MinimumBudgetSeconds = 3;

    private static void Check(string text)
    {
        foreach (var file in new[] { "fuzz.yaml", "fuzz.json" })
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var started = ThreadCpuTime.Now();
            var workflow = DocumentLoader.LoadWorkflow(text, file);
            FuzzTests.AssertLocated(workflow.Diagnostics);
            if (workflow.Value is not null)
            {
                FuzzTests.AssertLocated(new WorkflowValidator().Validate(workflow.Value, ValidationFixtures.Context(ValidationFixtures.Prod)));
            }

            FuzzTests.AssertLocated(DocumentLoader.LoadEnvironment(text, file).Diagnostics);
            // 1 s of this thread's CPU per MB of text, and at least 3 s: a few hundred bytes of aliases
            // may legally expand to the reader's 100,000-value limit (25^3 = 15,625 steps: linear work,
            // not a blow-up). The bound catches super-linear cost, which the probes showed as 15-29 s
            // and out-of-memory before the budgets. CPU time, not the wall clock: a fresh-clone CI run
            // at load 36 took 3.4 s of wall clock for 6^5 = 7,776 steps, waiting for a core.
            var took = ThreadCpuTime.Now() - started;
            var budget = TimeSpan.FromSeconds(Math.Max(MinimumBudgetSeconds, Encoding.UTF8.GetByteCount(text) / 1_000_000.0));
            Assert.True(took < budget, $"{file} of {text.Length} characters took {took} of CPU");
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < MaxAllocatedBytes, $"{file} of {text.Length} characters allocated too much");
        }
    }
}
