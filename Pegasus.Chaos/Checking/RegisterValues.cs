using System.Globalization;
using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Checking;

/// <summary>
/// Interns one key's register values as small integers, so search states compare and hash as ints.
/// Id 0 is "absent". Incr results get the id of their decimal text, so a later get of "5" matches
/// the state an incr to 5 left.
/// </summary>
internal sealed class RegisterValues
{
    public const int Absent = 0;

    private const byte NotParsed = 0;
    private const byte Integer = 1;
    private const byte NotInteger = 2;

    private readonly List<string?> _values = [null];
    private readonly List<byte> _numberKinds = [Integer];
    private readonly List<long> _numbers = [0];
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
