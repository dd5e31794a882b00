using System.Net;
using System.Text.Json;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Designer.Tests.Fixtures;

/// <summary>Seeds workflow versions through the API, so a test that saves or compares owns its workflow.</summary>
public static class Definitions
{
    /// <summary>Saves a version as an admin; with <paramref name="publish"/> also publishes it, so runs can start from it.</summary>
    public static async Task SaveAsync(ServerFixture server, string id, string yaml, string comment, bool publish = false)
    {
        using var client = server.Client(TokenRole.Admin);
        using var response = await client.PostAsync($"/api/definitions/{id}/versions?comment={Uri.EscapeDataString(comment)}", ServerFixture.Yaml(yaml));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, body);
        if (publish)
        {
            var version = JsonDocument.Parse(body).RootElement.GetProperty("version").GetInt32();
            using var published = await client.PostAsync($"/api/definitions/{id}/versions/{version}/publish", null);
            Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync());
        }
    }

    /// <summary>A two-step workflow; <paramref name="message"/> is the second step's input.</summary>
    public static string TwoSteps(string id, string message) => $"""
        id: {id}
        steps:
          - id: first
            uses: log
            with: {"{"} message: "one" {"}"}
          - id: second
            uses: log
            with: {"{"} message: "{message}" {"}"}

        """;

    /// <summary>
    /// A workflow of <paramref name="steps"/> steps shaped like src/Designer/bench/generate.ts: log
    /// steps with a group (with on_failure), a parallel and a foreach every 20 steps.
    /// </summary>
    public static string Generated(string id, int steps)
    {
        var lines = new List<string> { $"id: {id}", "steps:" };
        for (var made = 0; made < steps;)
        {
            var i = made;
            if (i % 20 == 10 && steps - made >= 4)
            {
                lines.AddRange([$"  - id: block{i}", "    group:", $"      - {{ id: s{i}a, uses: lb.flip }}", $"      - {{ id: s{i}b, uses: deploy.release, with: {{ target: out, tag: v1.0.0 }} }}", "    on_failure:", $"      - {{ id: s{i}c, uses: lb.restore }}"]);
                made += 4;
            }
            else if (i % 20 == 15 && steps - made >= 3)
            {
                lines.AddRange([$"  - id: fan{i}", "    parallel:", $"      - {{ id: p{i}a, uses: log, with: {{ message: a }} }}", $"      - {{ id: p{i}b, uses: log, with: {{ message: b }} }}"]);
                made += 3;
            }
            else if (i % 20 == 5 && steps - made >= 2)
            {
                lines.AddRange([$"  - id: each{i}", "    foreach: group1", "    as: host", "    steps:", $"      - {{ id: c{i}, uses: http.check, with: {{ url: \"http://{{{{ host.address }}}}/health\" }} }}"]);
                made += 2;
            }
            else
            {
                lines.Add($"  - {{ id: s{i}, uses: log, with: {{ message: \"step {i}\" }} }}");
                made += 1;
            }
        }

        lines.AddRange(["on_failure:", "  - uses: lb.restore"]);
        return string.Join('\n', lines) + "\n";
    }
}
