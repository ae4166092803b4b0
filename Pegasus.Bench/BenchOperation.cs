namespace Pegasus.Bench;

/// <summary>What each benchmark loop does per iteration.</summary>
public enum BenchOperation
{
    /// <summary>Writes a random key of the key space.</summary>
    Set,

    /// <summary>Reads a random key of the key space (all pre-loaded first).</summary>
    Get,

    /// <summary>Reads or writes a random key, reads with probability <see cref="BenchSettings.ReadPercent"/>.</summary>
    Mixed,
}
