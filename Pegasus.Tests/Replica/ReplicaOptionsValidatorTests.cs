using Pegasus.Replica.Hosting;

namespace Pegasus.Tests.Replica;

public sealed class ReplicaOptionsValidatorTests
{
    [Fact]
    public void Validate_CompleteOptions_Succeeds()
    {
        var options = new ReplicaOptions
        {
            DataDirectory = "/tmp/data",
            MetaServers = "http://127.0.0.1:1, http://127.0.0.1:2",
            AdvertisedAddress = "http://127.0.0.1:3",
        };

        Assert.True(new ReplicaOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(["http://127.0.0.1:1", "http://127.0.0.1:2"], options.GetMetaServerAddresses());
    }

    [Fact]
    public void Validate_ReportsEveryProblemAtOnce()
    {
        var options = new ReplicaOptions
        {
            MetaServers = "not-an-address",
            BeaconInterval = TimeSpan.FromSeconds(5),
            LeaseTimeout = TimeSpan.FromSeconds(5),
            WriteQueueCapacity = 0,
        };

        var result = new ReplicaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, failure => failure.Contains("DataDirectory", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("not-an-address", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("AdvertisedAddress", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("LeaseTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("WriteQueueCapacity", StringComparison.Ordinal));
    }
}
