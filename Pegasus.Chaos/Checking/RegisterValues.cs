using System.Globalization;
using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Checking;

/// <summary>
/// Interns one key's register values as small integers, so search states compare and hash as ints.
/// Id 0 is "absent". Incr results get the id of their decimal text, so a later get of "5" matches
/// the state an incr to 5 left.
/// </summary>
/// <remarks>
/// Id 1, <see cref="Opaque"/>, stands for every written value that no operation can tell apart from
/// another: no get returns it, no cas expects it, and incr refuses it (not an integer). The register
/// behaves the same whichever of them it holds, so merging them keeps the search exact while making
/// writes of such values (typically unknown ones) interchangeable.
/// </remarks>
internal sealed class RegisterValues
{
    public const int Absent = 0;
    public const int Opaque = 1;

    private const byte NotParsed = 0;
    private const byte Integer = 1;
    private const byte NotInteger = 2;

    private readonly List<string?> _values = [null, "(a value no operation observes)"];
    private readonly List<byte> _numberKinds = [Integer, NotInteger];
    private readonly List<long> _numbers = [0, 0];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _numberIds = [];

    public int Intern(string? value)
    {
        if (value is null)
        {
            return Absent;
        }

        if (!_ids.TryGetValue(value, out var id))
        {
            id = _values.Count;
            _values.Add(value);
            _numberKinds.Add(NotParsed);
            _numbers.Add(0);
            _ids.Add(value, id);
        }

        return id;
    }

    /// <summary>Interns a written value, or returns <see cref="Opaque"/> when nothing can observe it.</summary>
    /// <param name="value">The value a set or cas writes.</param>
    /// <param name="observed">Every value some get returns or some cas expects.</param>
    public int InternWritten(string value, IReadOnlySet<string> observed)
        => observed.Contains(value) || value.Length == 0 || HistoryOperationRules.TryParseDecimal(value, out _)
            ? Intern(value)
            : Opaque;

    /// <summary>The value of an id; a placeholder for <see cref="Opaque"/>.</summary>
    public string? ValueOf(int id) => _values[id];

    /// <summary>
    /// The value incr sees: absent is 0, and so is the empty string (as on a Pegasus server);
    /// otherwise a decimal int64 with an optional sign.
    /// </summary>
    public bool TryGetNumber(int id, out long number)
    {
        var kind = _numberKinds[id];
        if (kind == NotParsed)
        {
            var text = _values[id]!;
            if (text.Length == 0)
            {
                _numbers[id] = 0;
                kind = Integer;
            }
            else
            {
                kind = HistoryOperationRules.TryParseDecimal(text, out var parsed) ? Integer : NotInteger;
                _numbers[id] = parsed;
            }

            _numberKinds[id] = kind;
        }

        number = _numbers[id];
        return kind == Integer;
    }

    /// <summary>The id of the value an incr to <paramref name="number"/> stores (its decimal text).</summary>
    public int IdOfNumber(long number)
    {
        if (!_numberIds.TryGetValue(number, out var id))
        {
            id = Intern(number.ToString(CultureInfo.InvariantCulture));
            _numberIds.Add(number, id);
        }

        return id;
    }
}
