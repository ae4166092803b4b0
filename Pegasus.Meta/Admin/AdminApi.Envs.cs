using System.Text.Json;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Tables;
using Pegasus.Protocol;

namespace Pegasus.Meta.Admin;

public static partial class AdminApi
{
    /// <summary>
    /// <c>PUT /v1/tables/{name}/envs</c> with a JSON object of envs: sets them over the table's envs (Pegasus's
    /// set_app_envs). Answers the table.
    /// </summary>
    private static async Task<IResult> SetTableEnvsAsync(string name, HttpRequest request, TableManager tables, IMetaLeadership leadership, CancellationToken cancellationToken)
    {
        Dictionary<string, string>? envs;
        try
        {
            // Read by hand so malformed JSON gets the admin error shape, not the framework's bare 400.
            envs = await JsonSerializer.DeserializeAsync(request.Body, AdminJson.Context.DictionaryStringString, cancellationToken);
        }
        catch (JsonException exception)
        {
            return AdminResults.Error(ErrorCode.InvalidParameters, $"The request body is not a JSON object of string envs: {exception.Message}", leadership);
        }

        if (envs is null || envs.Count == 0)
        {
            return AdminResults.Error(ErrorCode.InvalidParameters, "The request names no env to set.", leadership);
        }

        var result = await tables.UpdateTableEnvsAsync(name, envs, [], cancellationToken);
        return result.Value is { } table
            ? TypedResults.Json(AdminResults.ToTableInfo(table, withPartitions: false), AdminJson.Context.TableInfo)
            : AdminResults.Error(result.Error, result.Message, leadership);
    }

    /// <summary><c>DELETE /v1/tables/{name}/envs/{key}</c>: removes one env (Pegasus's del_app_envs). Answers the table.</summary>
    private static async Task<IResult> DeleteTableEnvAsync(string name, string key, TableManager tables, IMetaLeadership leadership, CancellationToken cancellationToken)
    {
        var result = await tables.UpdateTableEnvsAsync(name, new Dictionary<string, string>(), [key], cancellationToken);
        return result.Value is { } table
            ? TypedResults.Json(AdminResults.ToTableInfo(table, withPartitions: false), AdminJson.Context.TableInfo)
            : AdminResults.Error(result.Error, result.Message, leadership);
    }
}
