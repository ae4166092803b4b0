using Pegasus.Protocol.Data;

namespace Pegasus.Tests.Cluster;

/// <summary>
/// One condition of check-and-set / check-and-mutate: the checked record's value (null = absent), the
/// operand, and whether the check passes (Pegasus's <c>validate_check</c>).
/// </summary>
internal readonly record struct CheckConditionCase(CheckType Type, string? Stored, string Operand, bool Passes)
{
    /// <summary>For every one of the 18 check types, cases that pass and cases that fail (NoCheck cannot fail).</summary>
    public static IReadOnlyList<CheckConditionCase> All { get; } =
    [
        new(CheckType.NoCheck, null, "", true),
        new(CheckType.NoCheck, "v", "", true),
        new(CheckType.ValueNotExist, null, "", true),
        new(CheckType.ValueNotExist, "", "", false),
        new(CheckType.ValueNotExist, "v", "", false),
        new(CheckType.ValueNotExistOrEmpty, null, "", true),
        new(CheckType.ValueNotExistOrEmpty, "", "", true),
        new(CheckType.ValueNotExistOrEmpty, "v", "", false),
        new(CheckType.ValueExist, "", "", true),
        new(CheckType.ValueExist, "v", "", true),
        new(CheckType.ValueExist, null, "", false),
        new(CheckType.ValueNotEmpty, "v", "", true),
        new(CheckType.ValueNotEmpty, "", "", false),
        new(CheckType.ValueNotEmpty, null, "", false),
        new(CheckType.ValueMatchAnywhere, "abcde", "bcd", true),
        new(CheckType.ValueMatchAnywhere, "abcde", "", true),
        new(CheckType.ValueMatchAnywhere, "abcde", "xyz", false),
        new(CheckType.ValueMatchAnywhere, null, "", false),
        new(CheckType.ValueMatchPrefix, "abcde", "abc", true),
        new(CheckType.ValueMatchPrefix, "abcde", "bcd", false),
        new(CheckType.ValueMatchPrefix, null, "abc", false),
        new(CheckType.ValueMatchPostfix, "abcde", "cde", true),
        new(CheckType.ValueMatchPostfix, "abcde", "abc", false),
        new(CheckType.ValueBytesLess, "abc", "abd", true),
        new(CheckType.ValueBytesLess, "abc", "abc", false),
        new(CheckType.ValueBytesLess, null, "abc", false),
        new(CheckType.ValueBytesLessOrEqual, "abc", "abc", true),
        new(CheckType.ValueBytesLessOrEqual, "abc", "abb", false),
        new(CheckType.ValueBytesEqual, "abc", "abc", true),
        new(CheckType.ValueBytesEqual, "abc", "abd", false),
        new(CheckType.ValueBytesEqual, null, "", false),
        new(CheckType.ValueBytesGreaterOrEqual, "abc", "abc", true),
        new(CheckType.ValueBytesGreaterOrEqual, "abc", "abd", false),
        new(CheckType.ValueBytesGreater, "abd", "abc", true),
        new(CheckType.ValueBytesGreater, "abc", "abc", false),

        // Integer comparisons compare numbers, not bytes ("5" < "10", though "5" > "10" bytewise).
        new(CheckType.ValueIntLess, "5", "10", true),
        new(CheckType.ValueIntLess, "10", "5", false),
        new(CheckType.ValueIntLess, null, "5", false),
        new(CheckType.ValueIntLessOrEqual, "10", "10", true),
        new(CheckType.ValueIntLessOrEqual, "11", "10", false),
        new(CheckType.ValueIntEqual, "-7", "-7", true),
        new(CheckType.ValueIntEqual, "7", "-7", false),
        new(CheckType.ValueIntGreaterOrEqual, "10", "9", true),
        new(CheckType.ValueIntGreaterOrEqual, "8", "9", false),
        new(CheckType.ValueIntGreater, "10", "9", true),
        new(CheckType.ValueIntGreater, "9", "9", false),
    ];

    /// <inheritdoc />
    public override string ToString() => $"{Type}(stored {(Stored is null ? "absent" : $"'{Stored}'")}, operand '{Operand}') should {(Passes ? "pass" : "fail")}";
}
