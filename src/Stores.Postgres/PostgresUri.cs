using Npgsql;

namespace Gantry.Engine.Stores;

/// <summary>Turns <c>postgres://user:password@host:port/database?sslmode=require</c> into an Npgsql connection string.</summary>
internal static class PostgresUri
{
    public static string ToConnectionString(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            throw new ArgumentException(
                $"'{Mask(uri)}' is not a PostgreSQL URL. Expected postgresql://user:password@host:5432/database.",
                nameof(uri));
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = parsed.Host };
        if (!parsed.IsDefaultPort && parsed.Port > 0)
        {
            builder.Port = parsed.Port;
        }

        var userInfo = parsed.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
        }

        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }

        var database = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in parsed.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            var value = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
            try
            {
                builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException(
                    $"The PostgreSQL URL has an unknown option '{key}'. Use Npgsql connection-string keywords (for example 'sslmode', 'Timeout').",
                    nameof(uri),
                    e);
            }
        }

        return builder.ConnectionString;
    }

    private static string Mask(string uri)
    {
        var at = uri.IndexOf('@', StringComparison.Ordinal);
        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme > 0 ? uri[..(scheme + 3)] + "***" + uri[at..] : uri;
    }
}
