using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pegasus.Client.Diagnostics;
using Pegasus.Protocol;

namespace Pegasus.Client;

/// <summary>
/// Client of the meta servers' HTTP/JSON admin API (<see cref="PegasusClientOptions.MetaAdminAddresses"/>):
/// tables, nodes and cluster state. Tries the last known leader first, follows a standby's
/// <c>421 ForwardToOthers</c> to the leader it names, and moves on to the next meta server when one cannot be
/// reached, until <see cref="PegasusClientOptions.AdminTimeout"/> passes. Thread-safe.
/// </summary>
/// <remarks>
/// Errors are <see cref="PegasusException"/>s carrying the meta server's error code (<see cref="ErrorCode.InvalidParameters"/>,
/// <see cref="ErrorCode.AppExist"/>, <see cref="ErrorCode.AppNotExist"/>, <see cref="ErrorCode.NotEnoughMembers"/>…),
/// or <see cref="ErrorCode.Timeout"/> when no meta server answered in time.
/// </remarks>
public sealed partial class PegasusAdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string[] _addresses;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _maxBackoff;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private volatile string? _leader;

    /// <summary>Creates an admin client for <see cref="PegasusClientOptions.MetaAdminAddresses"/>.</summary>
    /// <param name="options">The settings; <see cref="PegasusClientOptions.MetaAdminAddresses"/> must not be empty.</param>
    /// <exception cref="ArgumentException">No admin address is configured, or one is not an absolute http(s) address.</exception>
    public PegasusAdminClient(PegasusClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MetaAdminAddresses is not { Count: > 0 })
        {
            throw new ArgumentException("MetaAdminAddresses must list at least one meta server HTTP address.", nameof(options));
        }

        foreach (var address in options.MetaAdminAddresses)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out _))
            {
                throw new ArgumentException($"MetaAdminAddresses entry '{address}' is not an absolute address.", nameof(options));
            }
        }

        _addresses = [.. options.MetaAdminAddresses.Select(a => a.TrimEnd('/'))];
        _timeout = options.AdminTimeout;
        _maxBackoff = options.RetryMaxBackoff;
        _timeProvider = options.TimeProvider;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PegasusAdminClient>();
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout })
        {
            // Each attempt is bounded by the call's deadline token instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Releases the HTTP connections.</summary>
    public void Dispose() => _http.Dispose();

    private static string TablePath(string name, string operation)
    {
        RequireTableName(name, operation);
        return "/v1/tables/" + Uri.EscapeDataString(name);
    }

    /// <summary>Fails an empty or whitespace table name before anything is sent.</summary>
    private static void RequireTableName(string name, string operation)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new PegasusException(ErrorCode.InvalidParameters, $"{operation}: the table name must not be empty or whitespace");
        }
    }

    /// <summary>
    /// Sends one admin request to the meta servers (leader first) until one answers definitely or the deadline
    /// passes; returns the successful response's body, or null for a body-less success.
    /// </summary>
    private async Task<T?> SendAsync<T>(HttpMethod method, string path, Func<HttpContent?> content, JsonTypeInfo<T>? resultType, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked.Token;
        var backoff = TimeSpan.FromMilliseconds(50);
        string? lastFailure = null;
        try
        {
            while (true)
            {
                foreach (var first in Candidates())
                {
                    // Redirect hops from this candidate: a standby names the leader, which should answer itself.
                    var address = first;
                    for (var hop = 0; hop < 3 && address is not null; hop++)
                    {
                        var url = address + path;
                        HttpResponseMessage response;
                        try
                        {
                            using var request = new HttpRequestMessage(method, url) { Content = content() };
                            response = await _http.SendAsync(request, token).ConfigureAwait(false);
                        }
                        catch (HttpRequestException ex)
                        {
                            lastFailure = $"{method} {url}: {ex.Message}";
                            _logger.LogDebugAdminRequestFailed(method.Method, url, ex.Message);
                            break;
                        }

                        using (response)
                        {
                            if (response.IsSuccessStatusCode)
                            {
                                _leader = address;
                                if (resultType is null)
                                {
                                    return default;
                                }

                                return await response.Content.ReadFromJsonAsync(resultType, token).ConfigureAwait(false)
                                    ?? throw new PegasusException(ErrorCode.Unknown, $"{method} {url} returned an empty body");
                            }

                            var error = await ReadErrorAsync(response, token).ConfigureAwait(false);
                            lastFailure = $"{method} {url}: {(int)response.StatusCode} {error.Code} {error.Message}";
                            _logger.LogDebugAdminRequestFailed(method.Method, url, lastFailure);
                            if (response.StatusCode == HttpStatusCode.MisdirectedRequest || error.Code == ErrorCode.ForwardToOthers)
                            {
                                // A standby: go to the leader it names, if it knows one; otherwise try the next meta.
                                address = string.IsNullOrWhiteSpace(error.Leader) || string.Equals(error.Leader.TrimEnd('/'), address, StringComparison.OrdinalIgnoreCase)
                                    ? null
                                    : error.Leader.TrimEnd('/');
                                continue;
                            }

                            if (error.Code == ErrorCode.ServiceNotActive)
                            {
                                break;
                            }

                            _leader = address;
                            throw new PegasusException(error.Code, $"{method} {path}: {error.Message}");
                        }
                    }
                }

                // No meta answered definitely (all down, or an election in progress): back off and go round again.
                await Task.Delay(backoff, _timeProvider, token).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, Math.Max(_maxBackoff.Ticks, backoff.Ticks)));
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            var reason = lastFailure is null ? "" : $" (last failure: {lastFailure})";
            throw new PegasusException(ErrorCode.Timeout, $"admin {method} {path} timed out after {_timeout}{reason}", ex);
        }
    }

    private IEnumerable<string> Candidates()
    {
        var leader = _leader;
        if (leader is not null)
        {
            yield return leader;
        }

        foreach (var address in _addresses)
        {
            if (!string.Equals(address, leader, StringComparison.OrdinalIgnoreCase))
            {
                yield return address;
            }
        }
    }

    private static async Task<(ErrorCode Code, string Message, string? Leader)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        AdminErrorBody? body = null;
        try
        {
            body = await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.AdminErrorBody, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            // Not our JSON (a proxy, or a plain-text error): fall back to the status code.
        }
        catch (NotSupportedException)
        {
            // No or a non-JSON content type.
        }

        var code = body?.Error is { } name && Enum.TryParse<ErrorCode>(name, ignoreCase: true, out var parsed)
            ? parsed
            : response.StatusCode switch
            {
                HttpStatusCode.BadRequest => ErrorCode.InvalidParameters,
                HttpStatusCode.NotFound => ErrorCode.AppNotExist,
                HttpStatusCode.Conflict => ErrorCode.AppExist,
                HttpStatusCode.MisdirectedRequest => ErrorCode.ForwardToOthers,
                HttpStatusCode.ServiceUnavailable => ErrorCode.NotEnoughMembers,
                _ => ErrorCode.Unknown,
            };
        var message = body?.Message is { Length: > 0 } text ? text : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        return (code, message, body?.Leader);
    }
}
