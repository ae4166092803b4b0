namespace Pegasus.Meta.State;

/// <summary>A state store write was refused because this meta server does not (or no longer) lead. Nothing was written.</summary>
public sealed class StateStoreFencedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the write was refused.</param>
    public StateStoreFencedException(string message)
        : base(message)
    {
    }
}
