using Microsoft.Extensions.Options;

namespace Pegasus.ZooKeeper;

/// <summary>Validates <see cref="ZooKeeperClientOptions"/>, reporting every problem at once.</summary>
public sealed class ZooKeeperClientOptionsValidator : IValidateOptions<ZooKeeperClientOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ZooKeeperClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
