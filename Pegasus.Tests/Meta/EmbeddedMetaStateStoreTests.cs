using Microsoft.Extensions.Logging.Abstractions;
using Pegasus.Meta.State;

namespace Pegasus.Tests.Meta;

/// <summary>The conformance tests against the embedded (file-backed) store, plus its file-specific behaviour.</summary>
public sealed class EmbeddedMetaStateStoreTests : MetaStateStoreConformanceTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pegasus-meta-store-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Load_LeftoverTemporaryFile_IsIgnoredAndRemoved()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var table = new TableRecord(1, "kept", 1, 1, TableStatus.Available, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        Assert.True((await Store.CreateTableAsync(snapshot.NextAppId, table, [new PartitionConfigurationRecord(0, 1, "http://n:1", [], 1)], Ct)).IsOk);
        var temporary = Path.Combine(_directory, EmbeddedMetaStateStore.StateFileName + ".tmp");

        // A write that crashed before its rename leaves a partial temporary file behind.
        await ReleaseStoreAsync(Store);
        await File.WriteAllTextAsync(temporary, "{ \"formatVersion\": 1, \"nextAp", Ct);
        Store = await OpenSameStateAsync();
        var reloaded = await Store.LoadAsync(Ct);

        Assert.Equal("kept", Assert.Single(reloaded.Tables).Table.Value.Name);
        Assert.False(File.Exists(temporary));
    }

    [Fact]
    public async Task Load_CorruptStateFile_FailsInsteadOfStartingEmpty()
    {
        await ReleaseStoreAsync(Store);
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, EmbeddedMetaStateStore.StateFileName), "not json", Ct);
        Store = await OpenSameStateAsync();

        await Assert.ThrowsAsync<InvalidDataException>(() => Store.LoadAsync(Ct));
    }

    [Fact]
    public async Task Load_DirectoryHeldByAnotherStore_Fails()
    {
        await Store.LoadAsync(Ct);
        using var second = new EmbeddedMetaStateStore(_directory, NullLogger<EmbeddedMetaStateStore>.Instance);

        var exception = await Assert.ThrowsAsync<IOException>(() => second.LoadAsync(Ct));
        Assert.Contains("in use", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_ReplacesTheStateFileWholesale()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var table = new TableRecord(1, "t", 1, 1, TableStatus.Available, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);

        await Store.CreateTableAsync(snapshot.NextAppId, table, [new PartitionConfigurationRecord(0, 1, "http://n:1", [], 1)], Ct);

        var text = await File.ReadAllTextAsync(Path.Combine(_directory, EmbeddedMetaStateStore.StateFileName), Ct);
        Assert.Contains("\"name\": \"t\"", text, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"Available\"", text, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, EmbeddedMetaStateStore.StateFileName + ".tmp")));
    }

    /// <inheritdoc/>
    protected override Task<IMetaStateStore> CreateStoreAsync() => OpenSameStateAsync();

    /// <inheritdoc/>
    protected override Task<IMetaStateStore> OpenSameStateAsync()
        => Task.FromResult<IMetaStateStore>(new EmbeddedMetaStateStore(_directory, NullLogger<EmbeddedMetaStateStore>.Instance));

    /// <inheritdoc/>
    protected override Task CleanUpAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
