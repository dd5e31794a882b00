using Gantry.Providers.LoadBalancers.Nginx;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalConfigFileStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-nginx-store-").FullName;

    private string FilePath => Path.Combine(_folder, "upstream.conf");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task WriteAsync_ExistingFile_ReplacesItAndKeepsThePreviousContent()
    {
        File.WriteAllText(FilePath, "old");
        File.SetUnixFileMode(FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        await LocalConfigFileStore.Instance.WriteAsync(FilePath, "new", CancellationToken.None);

        Assert.Equal("new", File.ReadAllText(FilePath));
        Assert.Equal("old", File.ReadAllText(FilePath + ".previous"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(FilePath));
        Assert.Equal(["upstream.conf", "upstream.conf.previous"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task RestorePreviousAsync_AfterWrite_PutsThePreviousContentBack()
    {
        File.WriteAllText(FilePath, "old");
        await LocalConfigFileStore.Instance.WriteAsync(FilePath, "new", CancellationToken.None);

        await LocalConfigFileStore.Instance.RestorePreviousAsync(FilePath, CancellationToken.None);

        Assert.Equal("old", await LocalConfigFileStore.Instance.ReadAsync(FilePath, CancellationToken.None));
    }

    [Fact]
    public async Task RestorePreviousAsync_NothingKept_Throws()
    {
        await LocalConfigFileStore.Instance.WriteAsync(FilePath, "first", CancellationToken.None);

        var error = await Assert.ThrowsAsync<NginxException>(() => LocalConfigFileStore.Instance.RestorePreviousAsync(FilePath, CancellationToken.None));

        Assert.Equal($"Cannot restore '{FilePath}': there is no previous content at '{FilePath}.previous'.", error.Message);
    }

    [Fact]
    public async Task ReadAsync_MissingFile_ReturnsNull()
    {
        Assert.Null(await LocalConfigFileStore.Instance.ReadAsync(Path.Combine(_folder, "nope", "upstream.conf"), CancellationToken.None));
    }
}
