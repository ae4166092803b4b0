using Pegasus.Meta.Tables;
using Pegasus.Protocol;

namespace Pegasus.Tests.Meta;

/// <summary>App envs (Pegasus's set_app_envs / del_app_envs) on the meta leader: validated, durable, handed to replica servers.</summary>
public sealed class TableManagerEnvsTests : IDisposable
{
    private const string Node = "http://127.0.0.1:7001";

    private readonly MetaTestServices _meta = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _meta.Dispose();

    [Fact]
    public async Task UpdateEnvs_SetsOverAndDeletes_DurableAndInEveryAssignment()
    {
        _meta.Beacon(Node);
        Assert.True((await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 2, 1), Ct)).IsOk);

        var first = await _meta.Tables.UpdateTableEnvsAsync("t", new Dictionary<string, string> { ["default_ttl"] = "60", ["other"] = "x" }, [], Ct);
        Assert.True(first.IsOk, first.Message);
        var second = await _meta.Tables.UpdateTableEnvsAsync("t", new Dictionary<string, string> { ["default_ttl"] = "120" }, ["other", "absent"], Ct);
        Assert.True(second.IsOk, second.Message);
        Assert.Equal(new Dictionary<string, string> { ["default_ttl"] = "120" }, second.Value!.Table.Envs);

        var stored = (await _meta.Store.LoadAsync(Ct)).Tables.Single().Table.Value;
        Assert.Equal(new Dictionary<string, string> { ["default_ttl"] = "120" }, stored.Envs);

        var instructions = (await _meta.Tables.GetNodeInstructionsAsync(Node, Ct)).Value!;
        Assert.Equal(2, instructions.Assignments.Count);
        Assert.All(instructions.Assignments, a => Assert.Equal("120", a.Envs!["default_ttl"]));
    }

    [Theory]
    [InlineData("default_ttl", "abc")]
    [InlineData("default_ttl", "-1")]
    [InlineData("default_ttl", "")]
    [InlineData("default_ttl", "99999999999")]
    [InlineData(" ", "1")]
    public async Task UpdateEnvs_InvalidEnv_InvalidParametersAndNothingStored(string key, string value)
    {
        _meta.Beacon(Node);
        Assert.True((await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 2, 1), Ct)).IsOk);

        var result = await _meta.Tables.UpdateTableEnvsAsync("t", new Dictionary<string, string> { [key] = value }, [], Ct);

        Assert.Equal(ErrorCode.InvalidParameters, result.Error);
        Assert.Empty((await _meta.Store.LoadAsync(Ct)).Tables.Single().Table.Value.Envs);
    }

    [Fact]
    public async Task UpdateEnvs_UnknownTable_AppNotExist()
    {
        var result = await _meta.Tables.UpdateTableEnvsAsync("nope", new Dictionary<string, string> { ["default_ttl"] = "1" }, [], Ct);

        Assert.Equal(ErrorCode.AppNotExist, result.Error);
    }
}
