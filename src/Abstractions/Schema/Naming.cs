using System.Text;

namespace Gantry.Engine.Schema;

/// <summary>Document naming: properties are snake_case, enum values kebab-case.</summary>
internal static class Naming
{
    public static string Snake(string pascal) => Split(pascal, '_');

    public static string Kebab(string pascal) => Split(pascal, '-');

    private static string Split(string pascal, char separator)
    {
        var builder = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(pascal[i - 1]) || (i + 1 < pascal.Length && char.IsLower(pascal[i + 1]))))
            {
                builder.Append(separator);
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
