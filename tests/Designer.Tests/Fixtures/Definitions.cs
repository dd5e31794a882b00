using System.Net;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Designer.Tests.Fixtures;

/// <summary>Seeds workflow versions through the API, so a test that saves or compares owns its workflow.</summary>
public static class Definitions
{
    public static async Task SaveAsync(ServerFixture server, string id, string yaml, string comment)
    {
        using var client = server.Client(TokenRole.Admin);
        using var response = await client.PostAsync($"/api/definitions/{id}/versions?comment={Uri.EscapeDataString(comment)}", ServerFixture.Yaml(yaml));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, body);
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
}
