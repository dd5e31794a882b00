namespace Gantry.Engine.Stores;

/// <summary>One numbered schema change, as the SQL that makes it.</summary>
internal sealed record StoreMigration(int Version, string Name, string Sql);
