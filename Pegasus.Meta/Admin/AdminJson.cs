using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pegasus.Meta.Admin;

/// <summary>The admin API's serializer context.</summary>
internal static class AdminJson
{
    /// <summary>
    /// Gets <see cref="AdminJsonContext"/> with relaxed escaping: the API speaks application/json,
    /// never HTML, so quotes in messages stay readable (<c>'t1'</c> rather than <c>\u0027t1\u0027</c>).
    /// </summary>
    public static AdminJsonContext Context { get; } = new(new JsonSerializerOptions(AdminJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
