namespace Pegasus.Chaos.Checking;

/// <summary>Budgets and reporting for <see cref="LinearizabilityChecker"/>.</summary>
public sealed record CheckerOptions
{
    public static CheckerOptions Default { get; } = new();

    /// <summary>Search steps (model transitions tried) one key may take before it is reported as unknown.</summary>
    /// <value>Default 2,000,000; the memo grows by at most one entry per step, so this also bounds memory.</value>
    public long MaxStepsPerKey { get; init; } = 2_000_000;

    /// <summary>Wall-clock time one key may take before it is reported as unknown; null: no limit.</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan? MaxTimePerKey { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after its call an unknown operation may still take effect; null: any time, which is
    /// exact but makes every unknown operation concurrent with the rest of the history. A bound makes
    /// the search of keys with many unknown operations far cheaper, at the cost of calling a late
    /// effect a violation.
    /// </summary>
    /// <value>Default null. History times are nanoseconds.</value>
    public TimeSpan? UnknownEffectWindow { get; init; }

    /// <summary>How many keys are searched at once.</summary>
    /// <value>Default <see cref="Environment.ProcessorCount"/>.</value>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>How many operations a failure report lists before the failure point, and how many candidates.</summary>
    /// <value>Default 8.</value>
    public int ExplanationOperations { get; init; } = 8;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxStepsPerKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDegreeOfParallelism);
        ArgumentOutOfRangeException.ThrowIfNegative(ExplanationOperations);
        if (UnknownEffectWindow is { } window)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero, nameof(UnknownEffectWindow));
        }

        if (MaxTimePerKey is { } time)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(time, TimeSpan.Zero, nameof(MaxTimePerKey));
        }
    }
}
