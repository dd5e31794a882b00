using Gantry.Engine.Expressions;

namespace Gantry.Providers.Git;

/// <summary>
/// Hides credentials before git's text leaves the provider (exception messages, log lines): the
/// user-info part of every URL (<c>https://user:token@host</c> becomes <c>https://***@host</c>),
/// which git prints whether or not anyone declared it a secret, then every configured secret
/// value through the engine's <see cref="SecretMasker"/>.
/// </summary>
internal sealed class GitOutputMasker
{
    private readonly SecretMasker _secrets = new();

    public GitOutputMasker(IEnumerable<string>? secrets = null)
    {
        foreach (var secret in secrets ?? [])
        {
            _secrets.Add(secret);
        }
    }

    public string Mask(string text) =>
        string.IsNullOrEmpty(text) ? text : _secrets.Apply(text);
}
