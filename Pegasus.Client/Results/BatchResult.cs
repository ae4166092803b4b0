namespace Pegasus.Client;

/// <summary>The outcome of one item of a batch write that reports each item (<c>Batch*EachAsync</c>, Java's <c>*2</c> methods).</summary>
/// <param name="Error">Why the item failed; null when it succeeded.</param>
public sealed record BatchResult(PegasusException? Error)
{
    /// <summary>Gets a value indicating whether the item succeeded.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>The outcome of one item of a batch read that reports each item (<c>Batch*EachAsync</c>, Java's <c>*2</c> methods).</summary>
/// <typeparam name="T">The item's result.</typeparam>
/// <param name="Value">The item's result when it succeeded (for a get, null when the record does not exist); default when it failed.</param>
/// <param name="Error">Why the item failed; null when it succeeded.</param>
public sealed record BatchResult<T>(T Value, PegasusException? Error)
{
    /// <summary>Gets a value indicating whether the item succeeded.</summary>
    public bool Succeeded => Error is null;
}
