using Gantry.Engine.Stores;

namespace Gantry.Providers.Tests.Stores;

/// <summary>
/// A host that references Gantry.Engine but no store package, as a plugin host or a trimmed embedding
/// program does. This test project is such a host: it references neither Gantry.Stores.Postgres nor
/// Gantry.Stores.Sqlite (the first assertion makes sure of it), so the factory's own lookup runs for real.
/// </summary>
public sealed class StorePackageMissingTests
{
    [Theory]
    [InlineData("postgres://gantry:secret@127.0.0.1:5432/gantry", "postgres", "Gantry.Stores.Postgres")]
    [InlineData("Host=127.0.0.1;Username=gantry;Password=secret", "postgres", "Gantry.Stores.Postgres")]
    [InlineData("sqlite:runs/gantry.db", "sqlite", "Gantry.Stores.Sqlite")]
    public void Create_KindWhosePackageIsNotDeployed_ErrorNamesThePackageAndTheSetting(string db, string kind, string package)
    {
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, package + ".dll")), $"{package} is deployed beside this test host");
        var folder = Directory.CreateTempSubdirectory("gantry-no-store-");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => RunStoreFactory.Create(db, folder.FullName));

            Assert.Equal(
                $"The {kind} store is not available in this program: add the {package} package (a reference to it is enough), or choose another database with --db / GANTRY_DB.",
                error.Message);
            Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
            Assert.Empty(folder.EnumerateFileSystemInfos());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
