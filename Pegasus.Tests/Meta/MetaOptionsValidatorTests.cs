using Pegasus.Meta.Options;

namespace Pegasus.Tests.Meta;

public sealed class MetaOptionsValidatorTests
{
    [Fact]
    public void Defaults_WithAdvertisedAddresses_AreValid()
    {
        var options = new MetaOptions { AdvertisedGrpcAddress = "http://127.0.0.1:1", AdvertisedHttpAddress = "http://127.0.0.1:2" };

        Assert.True(new MetaOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void EveryProblem_IsReportedAtOnce()
    {
        var options = new MetaOptions
        {
            DataDirectory = " ",
            ClusterName = "no/slash",
            AdvertisedGrpcAddress = null,
            AdvertisedHttpAddress = "not a url",
            ReplicaGracePeriod = TimeSpan.Zero,
            RebalanceInterval = TimeSpan.FromSeconds(-1),
        };

        var result = new MetaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(6, failures.Count);
        Assert.Contains(failures, f => f.Contains("Meta:DataDirectory", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:ClusterName", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:AdvertisedGrpcAddress", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:AdvertisedHttpAddress", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:ReplicaGracePeriod", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:RebalanceInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void Rebalancing_IsAutomaticEveryFiveSecondsByDefault()
    {
        var options = new MetaOptions();

        Assert.True(options.AutoRebalance);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RebalanceInterval);
    }
}
