using System.Net.Http.Json;
using Pegasus.Protocol;

namespace Pegasus.Client;

public sealed partial class PegasusAdminClient
{
    /// <summary>The app env that gives records written without a TTL a default one, in seconds (Pegasus's <c>default_ttl</c>).</summary>
    public const string DefaultTtlEnv = Protocol.Time.DefaultTtlEnv.Key;

    /// <summary>
    /// Sets app envs of a table over its existing ones (<c>PUT /v1/tables/{name}/envs</c>, Pegasus's
    /// <c>set_app_envs</c>). Replica servers pick them up with their next beacon, within a beacon interval or so.
    /// </summary>
    /// <param name="name">The table's name.</param>
    /// <param name="envs">
    /// The envs to set, e.g. <see cref="DefaultTtlEnv"/> = "3600": from then on records written without a TTL expire
    /// after an hour ("0" turns it off); must not be empty.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The table with its envs.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidParameters"/> (no envs, an empty key, a <c>default_ttl</c> that is not a whole number
    /// of seconds), <see cref="ErrorCode.AppNotExist"/> or <see cref="ErrorCode.Timeout"/>.
    /// </exception>
    public async Task<TableInfo> SetTableEnvsAsync(string name, IReadOnlyDictionary<string, string> envs, CancellationToken cancellationToken = default)
    {
        var path = TablePath(name, "SetTableEnvs") + "/envs";
        ArgumentNullException.ThrowIfNull(envs);
        var body = new Dictionary<string, string>(envs);
        return (await SendAsync(
            HttpMethod.Put,
            path,
            () => JsonContent.Create(body, AdminJsonContext.Default.DictionaryStringString),
            AdminJsonContext.Default.TableInfo,
            cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Removes one app env of a table (<c>DELETE /v1/tables/{name}/envs/{key}</c>, Pegasus's <c>del_app_envs</c>); an absent key is no error.</summary>
    /// <param name="name">The table's name.</param>
    /// <param name="key">The env's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The table with its remaining envs.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.AppNotExist"/>, <see cref="ErrorCode.InvalidParameters"/> or <see cref="ErrorCode.Timeout"/>.</exception>
    public async Task<TableInfo> DeleteTableEnvAsync(string name, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var path = TablePath(name, "DeleteTableEnv") + "/envs/" + Uri.EscapeDataString(key);
        return (await SendAsync(HttpMethod.Delete, path, static () => null, AdminJsonContext.Default.TableInfo, cancellationToken).ConfigureAwait(false))!;
    }
}
