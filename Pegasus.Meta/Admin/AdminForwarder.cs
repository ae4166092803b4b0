using System.Net.Http.Headers;

namespace Pegasus.Meta.Admin;

/// <summary>
/// Passes an admin call that reached a standby on to the leader and returns the leader's answer as it is, so any meta
/// server's admin address works (a plain <c>curl</c> included). A call is forwarded once: a forwarded call that meets a
/// server that does not lead (leadership moved meanwhile) is answered with 421 and the leader it knows.
/// </summary>
public sealed class AdminForwarder : IDisposable
{
    /// <summary>The header a forwarded call carries: the standby's own admin address.</summary>
    public const string ForwardedByHeader = "X-Pegasus-Forwarded-By";

    /// <summary>The header of a forwarded answer: the leader that gave it.</summary>
    public const string AnsweredByHeader = "X-Pegasus-Answered-By";

    // Its own handler: the shared HTTP clients retry (resilience handler), and an admin call must not reach the leader twice.
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Gets whether <paramref name="request"/> came from another meta server already.</summary>
    /// <param name="request">The incoming call.</param>
    /// <returns>True when it was forwarded.</returns>
    public static bool WasForwarded(HttpRequest request) => request.Headers.ContainsKey(ForwardedByHeader);

    /// <summary>Sends the call to the leader and copies its answer into the response.</summary>
    /// <param name="context">The incoming call.</param>
    /// <param name="leaderHttpAddress">The leader's admin address.</param>
    /// <returns>The result that writes the leader's answer; null when the leader could not be reached.</returns>
    public async Task<IResult?> ForwardAsync(HttpContext context, string leaderHttpAddress)
    {
        var request = context.Request;
        var target = new Uri(new Uri(leaderHttpAddress), $"{request.PathBase}{request.Path}{request.QueryString}");
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            // Buffered: the body is small (a table description) and must be whole before the leader sees it.
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            message.Content = new ByteArrayContent(buffer.ToArray());
            if (request.ContentType is { } contentType && MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
            {
                message.Content.Headers.ContentType = mediaType;
            }
        }

        message.Headers.Add(ForwardedByHeader, $"{request.Scheme}://{request.Host}");
        try
        {
            using var answer = await _client.SendAsync(message, context.RequestAborted).ConfigureAwait(false);
            var body = await answer.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
            return new ForwardedAnswer((int)answer.StatusCode, answer.Content.Headers.ContentType?.ToString(), body, leaderHttpAddress);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The leader did not answer in time: the caller gets the standby's own answer naming it.
            return null;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private sealed class ForwardedAnswer(int statusCode, string? contentType, byte[] body, string leader) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = statusCode;
            response.Headers[AnsweredByHeader] = leader;
            if (contentType is not null)
            {
                response.ContentType = contentType;
            }

            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
