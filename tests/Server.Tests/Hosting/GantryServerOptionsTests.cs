namespace Gantry.Server.Tests.Hosting;

public sealed class GantryServerOptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void FromArgs_WebhookSecretFile_ReadsTheSecretWithoutItsNewline()
    {
        var file = Path.Combine(_folder, "github-webhook-secret");
        File.WriteAllText(file, "s3cret-from-file\n");

        var options = GantryServerOptions.FromArgs(["--github-webhook-secret-file", file]);

        Assert.Equal("s3cret-from-file", options.GitHubWebhookSecret);
    }

    [Fact]
    public void FromArgs_MissingOrEmptySecretFile_ThrowsNamingTheFile()
    {
        var missing = Path.Combine(_folder, "missing");
        var empty = Path.Combine(_folder, "empty");
        File.WriteAllText(empty, "\n");

        var notThere = Assert.Throws<ArgumentException>(() => GantryServerOptions.FromArgs(["--github-webhook-secret-file", missing]));
        var blank = Assert.Throws<ArgumentException>(() => GantryServerOptions.FromArgs(["--github-webhook-secret-file", empty]));

        Assert.Equal($"the webhook secret file {missing} does not exist", notThere.Message);
        Assert.Equal($"the webhook secret file {empty} is empty", blank.Message);
    }
}
