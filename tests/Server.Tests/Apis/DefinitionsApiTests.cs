using System.Net;
using System.Text.Json;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

public sealed class DefinitionsApiTests : IAsyncLifetime
{
    private const string InvalidWorkflow = """
        id: trivial
        steps:
          - id: hello
            uses: lb.flipp
          - id: bye
            uses: log
            with: { mesage: hi }
        """;

    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task List_AfterStart_ShowsEveryImportedWorkflowPublished()
    {
        using var client = _server.Client(TokenRole.Viewer);

        var list = JsonDocument.Parse(await client.GetStringAsync("/api/definitions")).RootElement;

        var ids = list.EnumerateArray().Select(d => d.GetProperty("id").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["approval", "canary", "daily-release", "deploy-testing", "hotfix", "rollback", "rolling-deploy", "trivial"], ids);
        Assert.All(list.EnumerateArray(), d => Assert.Equal(1, d.GetProperty("publishedVersion").GetInt32()));
    }

    [Fact]
    public async Task Restart_WithUnchangedFiles_AddsNoVersionAndWithAChangedFile_PublishesANewOne()
    {
        var workspace = ServerFixture.CreateWorkspace();
        await (await ServerFixture.StartAsync(workspace: workspace)).StopKeepingWorkspaceAsync();
        File.AppendAllText(Path.Combine(workspace, "workflows", "trivial.yaml"), "description: changed\n");

        await using var server = await ServerFixture.StartAsync(workspace: workspace);
        using var client = server.Client(TokenRole.Viewer);
        var list = JsonDocument.Parse(await client.GetStringAsync("/api/definitions")).RootElement.EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!);

        Assert.Equal(1, list["hotfix"].GetProperty("latestVersion").GetInt32());
        Assert.Equal(2, list["trivial"].GetProperty("latestVersion").GetInt32());
        Assert.Equal(2, list["trivial"].GetProperty("publishedVersion").GetInt32());
    }

    [Fact]
    public async Task Get_WithAcceptYaml_ReturnsTheTextAndOtherwiseJson()
    {
        using var client = _server.Client(TokenRole.Viewer);
        using var yamlRequest = new HttpRequestMessage(HttpMethod.Get, "/api/definitions/trivial");
        yamlRequest.Headers.Add("Accept", "application/yaml");

        using var yaml = await client.SendAsync(yamlRequest);
        var json = JsonDocument.Parse(await client.GetStringAsync("/api/definitions/trivial/versions/1")).RootElement;

        Assert.Equal("application/yaml", yaml.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TestWorkflows.Trivial + "\n", await yaml.Content.ReadAsStringAsync());
        Assert.Equal("trivial", json.GetProperty("id").GetString());
        Assert.Equal("published", json.GetProperty("state").GetString());
        Assert.Equal("import", json.GetProperty("author").GetString());
        Assert.Equal(TestWorkflows.Trivial + "\n", json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Get_WithAcceptJson_ReturnsTheParsedDocumentAsJson()
    {
        using var client = _server.Client(TokenRole.Viewer);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/definitions/trivial");
        request.Headers.Add("Accept", "application/json");

        using var response = await client.SendAsync(request);
        var view = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """{"id":"trivial","inputs":{"note":{"type":"string","default":""}},"steps":[{"id":"hello","uses":"log","with":{"message":"hello {{ inputs.note }}"}}],"on":{"http":{"path":"my-team/canary"}}}""",
            JsonSerializer.Serialize(view.GetProperty("document"), new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Equal(TestWorkflows.Trivial + "\n", view.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Get_UnknownDefinitionOrVersion_Returns404Problem()
    {
        using var client = _server.Client(TokenRole.Viewer);

        using var unknown = await client.GetAsync("/api/definitions/nope");
        using var version = await client.GetAsync("/api/definitions/trivial/versions/9");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no definition 'nope'", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        Assert.Equal("definition 'trivial' has no version 9", JsonDocument.Parse(await version.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Save_InvalidYaml_Returns400WithEveryErrorLocated()
    {
        using var client = _server.Client(TokenRole.Admin);

        using var response = await client.PostAsync("/api/definitions/trivial/versions", ServerFixture.Yaml(InvalidWorkflow));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("The definition is invalid", problem.GetProperty("title").GetString());
        var errors = problem.GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("file").GetString()}:{e.GetProperty("line").GetInt32()}:{e.GetProperty("column").GetInt32()} {e.GetProperty("path").GetString()}: {e.GetProperty("message").GetString()}")
            .ToList();
        Assert.Equal(
            [
                "trivial.yaml:4:11 steps[0].uses: unknown activity 'lb.flipp' (did you mean 'lb.flip'?)",
                "trivial.yaml:7:11 steps[1].with: missing required field 'message' (string: The text to log (a template).)",
                "trivial.yaml:7:13 steps[1].with.mesage: unknown field 'mesage' (did you mean 'message'?); expected one of: message, level",
            ],
            errors);
    }

    [Fact]
    public async Task Save_IdDifferentFromUrl_Returns400NamingBoth()
    {
        using var client = _server.Client(TokenRole.Admin);

        using var response = await client.PostAsync("/api/definitions/other/versions", ServerFixture.Yaml(TestWorkflows.Trivial));

        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0];
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("id", error.GetProperty("path").GetString());
        Assert.Equal("the document's id 'trivial' differs from the definition id 'other' in the URL; save it under /api/definitions/trivial", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Save_NewJsonVersion_Returns201DraftThenPublishAndDiffByStep()
    {
        using var client = _server.Client(TokenRole.Admin);
        const string changed = """{"id":"trivial","inputs":{"note":{"type":"string","default":""}},"steps":[{"id":"hello","uses":"log","with":{"message":"hi {{ inputs.note }}"}},{"id":"extra","uses":"log","with":{"message":"more"}}]}""";

        using var saved = await client.PostAsync("/api/definitions/trivial/versions?comment=second", ServerFixture.Json(changed));
        var draft = JsonDocument.Parse(await saved.Content.ReadAsStringAsync()).RootElement;
        using var published = await client.PostAsync("/api/definitions/trivial/versions/2/publish", null);
        var diff = JsonDocument.Parse(await client.GetStringAsync("/api/definitions/trivial/diff?from=1&to=2")).RootElement;

        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        Assert.Equal("/api/definitions/trivial/versions/2", saved.Headers.Location?.ToString());
        Assert.Equal("draft", draft.GetProperty("state").GetString());
        Assert.Equal("admin-token", draft.GetProperty("author").GetString());
        Assert.Equal("second", draft.GetProperty("comment").GetString());
        Assert.Equal("published", JsonDocument.Parse(await published.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
        Assert.Equal(["on"], diff.GetProperty("workflow").EnumerateArray().Select(f => f.GetProperty("field").GetString()).ToList());
        var steps = diff.GetProperty("steps").EnumerateArray().Select(s => $"{s.GetProperty("step").GetString()} {s.GetProperty("kind").GetString()}").ToList();
        Assert.Equal(["hello changed", "extra added"], steps);
        var with = diff.GetProperty("steps")[0].GetProperty("fields")[0];
        Assert.Equal("with", with.GetProperty("field").GetString());
        Assert.Equal("""{"message": "hi {{ inputs.note }}"}""", with.GetProperty("new").GetString());
    }

    [Fact]
    public async Task Save_SameTextAgain_Returns200WithTheExistingVersion()
    {
        using var client = _server.Client(TokenRole.Admin);

        using var response = await client.PostAsync("/api/definitions/trivial/versions", ServerFixture.Yaml(TestWorkflows.Trivial + "\n"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Validate_InvalidText_Returns200WithProblemsAndValidText_Returns200Valid()
    {
        using var client = _server.Client(TokenRole.Operator);

        using var invalid = await client.PostAsync("/api/definitions/trivial/validate", ServerFixture.Yaml(InvalidWorkflow));
        using var valid = await client.PostAsync("/api/definitions/trivial/validate", ServerFixture.Yaml(TestWorkflows.Trivial));

        // The problems are the answer (the designer validates on every pause in typing), not a failed request.
        Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
        var report = JsonDocument.Parse(await invalid.Content.ReadAsStringAsync()).RootElement;
        Assert.False(report.GetProperty("valid").GetBoolean());
        var errors = report.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.True(e.GetProperty("line").GetInt32() > 0, e.ToString()));
        Assert.Equal("""{"valid":true,"errors":[]}""", await valid.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Publish_OlderVersion_BecomesCurrentAsNewVersionThatRunsUse()
    {
        using var admin = _server.Client(TokenRole.Admin);
        using var saved = await admin.PostAsync("/api/definitions/trivial/versions?publish=true&comment=second", ServerFixture.Yaml(TestWorkflows.Trivial.Replace("hello {{", "second {{", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        Assert.Equal(2, await PublishedVersionAsync(admin));

        using var rollBack = await admin.PostAsync("/api/definitions/trivial/versions/1/publish", null);
        var current = JsonDocument.Parse(await rollBack.Content.ReadAsStringAsync()).RootElement;
        using var again = await admin.PostAsync("/api/definitions/trivial/versions/3/publish", null);
        using var missing = await admin.PostAsync("/api/definitions/trivial/versions/9/publish", null);

        Assert.Equal(HttpStatusCode.OK, rollBack.StatusCode);
        Assert.Equal(3, current.GetProperty("version").GetInt32());
        Assert.Equal("published", current.GetProperty("state").GetString());
        Assert.Equal(TestWorkflows.Trivial + "\n", current.GetProperty("text").GetString());
        Assert.Equal(3, await PublishedVersionAsync(admin));
        // Who rolled back and when is in the version list; the versions before are unchanged.
        var versions = JsonDocument.Parse(await admin.GetStringAsync("/api/definitions/trivial/versions")).RootElement.EnumerateArray().ToList();
        Assert.Equal(["1 published import", "2 published admin-token", "3 published admin-token"], versions.Select(v => $"{v.GetProperty("version").GetInt32()} {v.GetProperty("state").GetString()} {v.GetProperty("author").GetString()}").ToList());
        Assert.Equal("re-published v1", versions[2].GetProperty("comment").GetString());
        Assert.True(versions[2].GetProperty("publishedAt").GetDateTimeOffset() >= versions[1].GetProperty("publishedAt").GetDateTimeOffset());
        // Publishing the current version again adds nothing; an unknown version is a 404 that names the ones there are.
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(3, versions.Count);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("has no version 9; it has versions 1 to 3", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A new run uses the rolled-back text.
        var runId = await _server.StartRunAsync("trivial", new { inputs = new { note = "x" } });
        var run = await _server.WaitForStatusAsync(runId, Gantry.Engine.Runtime.RunStatus.Succeeded);
        Assert.Equal(3, run.WorkflowVersion);
        var journal = await _server.Runs.ReadJournalAsync(runId, 0, CancellationToken.None);
        Assert.Contains(journal, e => e.Message == "hello x");
    }

    private static async Task<int?> PublishedVersionAsync(HttpClient client)
    {
        var list = JsonDocument.Parse(await client.GetStringAsync("/api/definitions")).RootElement;
        var trivial = list.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "trivial");
        return trivial.GetProperty("publishedVersion").ValueKind == JsonValueKind.Null ? null : trivial.GetProperty("publishedVersion").GetInt32();
    }

    [Fact]
    public async Task Save_BodyOverOneMegabyte_Returns413Problem()
    {
        using var client = _server.Client(TokenRole.Admin);

        using var response = await client.PostAsync("/api/definitions/trivial/versions", ServerFixture.Yaml(TestWorkflows.Trivial + "\n#" + new string('x', 1024 * 1024)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Request body too large", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
    }
}
