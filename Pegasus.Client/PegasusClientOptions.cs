using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Pegasus.Protocol.Data;
using Pegasus.Protocol;

namespace Pegasus.Client;

/// <summary>Settings of a <see cref="PegasusClient"/>; validated when the client is created.</summary>
public sealed class PegasusClientOptions
{
    /// <summary>Gets or sets the meta servers' gRPC addresses (for example <c>http://127.0.0.1:35601</c>).</summary>
    /// <value>Required: at least one address. Any meta server works; a standby redirects to the leader.</value>
    public IList<string> MetaServers { get; set; } = [];

    /// <summary>Gets or sets the meta servers' HTTP admin addresses (for example <c>http://127.0.0.1:35701</c>).</summary>
    /// <value>Empty by default; needed only for <see cref="PegasusClient.Admin"/> and <see cref="PegasusAdminClient"/>.</value>
    public IList<string> MetaAdminAddresses { get; set; } = [];

    /// <summary>Gets or sets the timeout of an operation that is not given its own.</summary>
    /// <value>Defaults to 5 seconds. Routing refreshes and retries all happen within it.</value>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the timeout of an admin call (create/drop/list tables, nodes, cluster).</summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan AdminTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many times an operation is retried after a retryable failure.</summary>
    /// <value>
    /// Defaults to 100, so that normally the operation's timeout ends the retries (as in Pegasus's clients).
    /// Retryable failures are a lost connection, a replica that does not serve the partition
    /// (<see cref="ErrorCode.ObjectNotFound"/>, <see cref="ErrorCode.InvalidState"/>,
    /// <see cref="ErrorCode.PartitionMismatch"/>, <see cref="ErrorCode.StaleBallot"/>), <see cref="ErrorCode.Busy"/>
    /// and a partition without a primary. After a lost connection a write may be applied twice (its first
    /// answer was lost), as in Pegasus.
    /// </value>
    public int MaxRetries { get; set; } = 100;

    /// <summary>Gets or sets the delay before the first retry; each further retry doubles it.</summary>
    /// <value>Defaults to 10 milliseconds.</value>
    public TimeSpan RetryInitialBackoff { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Gets or sets the longest delay between two retries.</summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan RetryMaxBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the TCP connect timeout to a meta or replica server.</summary>
    /// <value>Defaults to 3 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets or sets how long an idle HTTP/2 connection waits before it sends a keep-alive ping.</summary>
    /// <value>Defaults to 15 seconds; pings find dead servers whose sockets never closed.</value>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets how long a keep-alive ping may go unanswered before the connection is closed.</summary>
    /// <value>Defaults to 10 seconds.</value>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how many requests may wait for a response from one replica server at once.</summary>
    /// <value>Defaults to 8192; further requests wait for a slot (back-pressure) within their timeout.</value>
    public int MaxPendingRequestsPerServer { get; set; } = 8192;

    /// <summary>Gets or sets the largest request batch (sum of request sizes) written in one stream message.</summary>
    /// <value>
    /// Defaults to 1 MiB; a single larger request is still sent, alone. At most 63 MiB, so that a batch stays
    /// below the replica server's 64 MiB receive limit (a message over it would break the shared stream).
    /// </value>
    public int MaxBatchBytes { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets the largest response message the client accepts.</summary>
    /// <value>
    /// Defaults to 128 MiB. At least 64 MiB, the replica server's send limit per message: the server never sends
    /// more (a multi-get returns at most ~30 MiB, a scan batch ~4 MiB, and a larger response is answered with
    /// <see cref="ErrorCode.InvalidArgument"/>), so a response can never break the shared stream.
    /// </value>
    public int MaxReceiveMessageBytes { get; set; } = 128 * 1024 * 1024;

    /// <summary>
    /// Gets or sets the largest write the client sends, in bytes of the serialized write operation (keys, values
    /// and TTLs of a set, multi-set, check-and-set, check-and-mutate, incr or delete), as Apache Pegasus's
    /// replica server measures a write's body for its <c>max_allowed_write_size</c>.
    /// </summary>
    /// <value>
    /// Defaults to 1 MiB (1,048,576 bytes), Pegasus's default and the replica server's
    /// <c>Replica:MaxAllowedWriteSize</c> default; so a value must be a few bytes smaller than 1 MiB. A larger
    /// write fails with <see cref="ErrorCode.InvalidArgument"/> before anything is sent. 0 turns the client's
    /// check off (the server still checks); at most 63 MiB.
    /// </value>
    public int MaxAllowedWriteSize { get; set; } = DataStreamLimits.DefaultMaxAllowedWriteSize;

    /// <summary>Gets or sets the clock used for TTLs (expire times), timeouts and backoff.</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the logger factory for the client's logs.</summary>
    /// <value>Defaults to null: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the meter factory that creates the <c>Pegasus.Client</c> meter.</summary>
    /// <value>Defaults to null: the client creates and owns its meter.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Lists every problem with these settings; empty when they are valid.</summary>
    /// <returns>Human-readable descriptions of the invalid settings.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MetaServers is null || MetaServers.Count == 0)
        {
            errors.Add("MetaServers must list at least one meta server gRPC address.");
        }
        else
        {
            ValidateAddresses(MetaServers, nameof(MetaServers), errors);
        }

        if (MetaAdminAddresses is null)
        {
            errors.Add("MetaAdminAddresses must not be null.");
        }
        else
        {
            ValidateAddresses(MetaAdminAddresses, nameof(MetaAdminAddresses), errors);
        }

        RequirePositive(DefaultTimeout, nameof(DefaultTimeout), errors);
        RequirePositive(AdminTimeout, nameof(AdminTimeout), errors);
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout), errors);
        RequirePositive(KeepAlivePingDelay, nameof(KeepAlivePingDelay), errors);
        RequirePositive(KeepAlivePingTimeout, nameof(KeepAlivePingTimeout), errors);
        if (RetryInitialBackoff < TimeSpan.Zero || RetryMaxBackoff < RetryInitialBackoff)
        {
            errors.Add("RetryInitialBackoff must be >= 0 and RetryMaxBackoff >= RetryInitialBackoff.");
        }

        if (MaxRetries < 0)
        {
            errors.Add("MaxRetries must be >= 0.");
        }

        if (MaxPendingRequestsPerServer <= 0)
        {
            errors.Add("MaxPendingRequestsPerServer must be > 0.");
        }

        if (MaxBatchBytes <= 0 || MaxBatchBytes > DataStreamLimits.MaxRequestBytes)
        {
            errors.Add($"MaxBatchBytes must be > 0 and <= {DataStreamLimits.MaxRequestBytes} (below the replica server's receive limit).");
        }

        if (MaxReceiveMessageBytes < DataStreamLimits.MaxMessageBytes)
        {
            errors.Add($"MaxReceiveMessageBytes must be >= {DataStreamLimits.MaxMessageBytes} (the replica server's send limit).");
        }

        if (MaxAllowedWriteSize < 0 || MaxAllowedWriteSize > DataStreamLimits.MaxRequestBytes)
        {
            errors.Add($"MaxAllowedWriteSize must be >= 0 (0 = no client-side check) and <= {DataStreamLimits.MaxRequestBytes}.");
        }

        if (TimeProvider is null)
        {
            errors.Add("TimeProvider must not be null.");
        }

        return errors;
    }

    /// <summary>A copy, so that changing these options after a client was created does not affect it.</summary>
    internal PegasusClientOptions Snapshot() => new()
    {
        MetaServers = [.. MetaServers],
        MetaAdminAddresses = [.. MetaAdminAddresses],
        DefaultTimeout = DefaultTimeout,
        AdminTimeout = AdminTimeout,
        MaxRetries = MaxRetries,
        RetryInitialBackoff = RetryInitialBackoff,
        RetryMaxBackoff = RetryMaxBackoff,
        ConnectTimeout = ConnectTimeout,
        KeepAlivePingDelay = KeepAlivePingDelay,
        KeepAlivePingTimeout = KeepAlivePingTimeout,
        MaxPendingRequestsPerServer = MaxPendingRequestsPerServer,
        MaxBatchBytes = MaxBatchBytes,
        MaxReceiveMessageBytes = MaxReceiveMessageBytes,
        MaxAllowedWriteSize = MaxAllowedWriteSize,
        TimeProvider = TimeProvider,
        LoggerFactory = LoggerFactory,
        MeterFactory = MeterFactory,
    };

    /// <summary>The retry backoff after <paramref name="backoff"/>: doubled (from at least 1 ms), at most <see cref="RetryMaxBackoff"/>.</summary>
    internal TimeSpan NextRetryBackoff(TimeSpan backoff)
        => TimeSpan.FromTicks(Math.Min(Math.Max(backoff.Ticks * 2, TimeSpan.TicksPerMillisecond), RetryMaxBackoff.Ticks));

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid PegasusClientOptions: " + string.Join(" ", errors));
        }
    }

    private static void ValidateAddresses(IList<string> addresses, string name, List<string> errors)
    {
        foreach (var address in addresses)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{name} entry '{address}' is not an absolute http(s) address.");
            }
        }
    }

    private static void RequirePositive(TimeSpan value, string name, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive.");
        }
    }
}
