using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Infrastructure.Web;

/// <summary>
/// One JSON language for every request body, set once on the serializer: member names match exactly,
/// a member the request does not define is refused, numbers are numbers, enums are their names, and
/// what PostgreSQL cannot store (U+0000, unpaired surrogates, numbers beyond <c>numeric</c>) is refused
/// while the body is read, so no slice has to remember it. Each refusal says what the field accepts.
/// </summary>
public static class JsonInput
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNameCaseInsensitive = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        // Ahead of the built-in converters and of [JsonConverter] on a type.
        options.Converters.Add(new TextConverter());
        options.Converters.Add(new FreeJsonConverter());
        options.Converters.Add(new WholeNumberConverter());
        options.Converters.Add(new UuidConverter());
        options.Converters.Add(new TrueOrFalseConverter());
        options.Converters.Add(new EnumNameConverterFactory());
    }

    /// <summary>FastEndpoints' body reader, except that a body of <c>null</c> is refused rather than read as an empty request.</summary>
    public static async ValueTask<object?> ReadBodyAsync(HttpRequest request, Type type, JsonSerializerOptions options, CancellationToken ct) =>
        await request.ReadFromJsonAsync(type, options, ct) ?? throw new JsonInputException("must be a JSON object");

    /// <summary>
    /// The length of the JSON text PostgreSQL gives back for this value: its numbers written out in
    /// full (1e400 is 401 digits), so that a size limit on the way in also bounds what is stored.
    /// </summary>
    public static long StoredLength(JsonElement element) =>
        element.GetRawText().Length + Growth(element);

    private static long Growth(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Sum(p => Growth(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Sum(Growth),
        JsonValueKind.Number when Numeric.TryParse(element.GetRawText(), out var n) => Math.Max(0, n.WrittenLength - element.GetRawText().Length),
        _ => 0,
    };

    /// <summary>Text PostgreSQL can store: no U+0000, and every surrogate in a pair.</summary>
    public static bool IsStorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
                return false;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(c))
                return false;
        }
        return true;
    }

    private const string WrongType = "has the wrong type: it must be ";
    internal const string TextRule = "must be UTF-8 text without U+0000 or unpaired surrogates (PostgreSQL cannot store them)";

    /// <summary>Reads a string token; invalid UTF-8 or an unpaired \uD800-style escape is refused like U+0000.</summary>
    private static string ReadText(ref Utf8JsonReader reader, string rule)
    {
        string? text;
        try { text = reader.GetString(); }
        catch (InvalidOperationException) { throw new JsonInputException(rule); }
        return text is not null && IsStorable(text) ? text : throw new JsonInputException(rule);
    }

    private sealed class TextConverter : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? ReadText(ref reader, TextRule) : throw new JsonInputException(WrongType + "a string");

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ReadText(ref reader, TextRule);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);
    }

    /// <summary>Free-form JSON (preferences): every key and string storable, every number within PostgreSQL's <c>numeric</c>.</summary>
    private sealed class FreeJsonConverter : JsonConverter<JsonElement>
    {
        public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var element = JsonElement.ParseValue(ref reader);
            Check(element, "");
            return element;
        }

        public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);

        private static void Check(JsonElement element, string at)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        string? name;
                        try { name = property.Name; }
                        catch (InvalidOperationException) { name = null; }
                        if (name is null || !IsStorable(name))
                            throw new JsonInputException(UnstorableText(at.Length == 0 ? "a key at its top level" : $"a key under {at}"));
                        Check(property.Value, at.Length == 0 ? Bounded(name) : at + "." + Bounded(name));
                    }
                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                        Check(item, $"{at}[{index++}]");
                    break;
                case JsonValueKind.String:
                    string? text;
                    try { text = element.GetString(); }
                    catch (InvalidOperationException) { text = null; }
                    if (text is null || !IsStorable(text))
                        throw new JsonInputException(UnstorableText(at.Length == 0 ? "its value" : at));
                    break;
                case JsonValueKind.Number:
                    if (!Numeric.TryParse(element.GetRawText(), out _))
                        throw new JsonInputException($"may hold numbers of at most {Numeric.MaxIntegerDigits} digits before the decimal point " +
                            $"and {Numeric.MaxScale} after (PostgreSQL's numeric), unlike {(at.Length == 0 ? "its value" : "the one at " + at)}");
                    break;
            }
        }

        private static string UnstorableText(string at) =>
            $"may not hold U+0000 or unpaired surrogates in its keys or strings (PostgreSQL cannot store them), as {at} does";

        // The key comes from the client: report a bounded piece of it.
        private static string Bounded(string name) => name.Length <= 40 ? name : name[..40] + "…";
    }

    private sealed class WholeNumberConverter : JsonConverter<int>
    {
        public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.Number)
                throw new JsonInputException(WrongType + "a whole number");
            if (reader.TryGetInt32(out var value))
                return value;
            throw new JsonInputException(reader.ValueSpan.IndexOfAny(".eE"u8) >= 0
                ? "must be a whole number, written without a fraction or exponent"
                : $"must be a whole number between {int.MinValue} and {int.MaxValue}");
        }

        public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    private sealed class UuidConverter : JsonConverter<Guid>
    {
        public override Guid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType != JsonTokenType.String ? throw new JsonInputException(WrongType + "a UUID string")
            : reader.TryGetGuid(out var value) ? value
            : throw new JsonInputException("must be a UUID such as 0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f70");

        public override void Write(Utf8JsonWriter writer, Guid value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private sealed class TrueOrFalseConverter : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw new JsonInputException(WrongType + "true or false"),
        };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    /// <summary>Enums travel as their names only (never their numbers), matched exactly.</summary>
    private sealed class EnumNameConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(EnumNameConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class EnumNameConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        private static readonly Dictionary<T, string> Names = Enum.GetValues<T>().ToDictionary(v => v, v =>
            typeof(T).GetField(v.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? v.ToString());
        private static readonly Dictionary<string, T> Values = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        private static readonly string Rule = "must be one of: " + string.Join(", ", Names.Values);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && Values.TryGetValue(ReadText(ref reader, Rule), out var value)
                ? value
                : throw new JsonInputException(Rule);

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Names.TryGetValue(value, out var name) ? name : value.ToString());
    }
}

/// <summary>A value a request body cannot have; <see cref="JsonException.Path"/> names the field, the message what it accepts.</summary>
public sealed class JsonInputException(string rule) : JsonException(rule)
{
    public string Rule { get; } = rule;
}

/// <summary>
/// A JSON number as PostgreSQL's <c>numeric</c> (which jsonb uses) would take it: at most 131072
/// digits before the decimal point and 16383 after, and an exponent below 2^30.
/// </summary>
internal readonly record struct Numeric(long WrittenLength)
{
    public const int MaxIntegerDigits = 131072;
    public const int MaxScale = 16383;
    private const long MaxExponent = int.MaxValue / 2;

    /// <param name="number">A number token as JSON writes it: <c>-?int(.frac)?([eE][+-]?exp)?</c>.</param>
    public static bool TryParse(string number, out Numeric result)
    {
        result = default;
        var span = number.AsSpan();
        var negative = span.StartsWith("-");
        if (negative) span = span[1..];
        var e = span.IndexOfAny('e', 'E');
        long exponent = 0;
        if (e >= 0)
        {
            if (!long.TryParse(span[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)
                || exponent >= MaxExponent || exponent <= -MaxExponent)
                return false;
            span = span[..e];
        }
        var point = span.IndexOf('.');
        var integer = point >= 0 ? span[..point] : span;
        var fraction = point >= 0 ? span[(point + 1)..] : [];

        var scale = Math.Max(0, fraction.Length - exponent);
        if (scale > MaxScale)
            return false;
        // The decimal position of the first significant digit (0 for the units digit).
        long? lead = integer.IndexOfAnyExcept('0') is var i and >= 0 ? integer.Length - 1 - i + exponent
            : fraction.IndexOfAnyExcept('0') is var f and >= 0 ? -(f + 1) + exponent
            : null;
        if (lead >= MaxIntegerDigits)
            return false;
        var integerDigits = lead is >= 0 ? lead.Value + 1 : 1;
        result = new Numeric((negative ? 1 : 0) + integerDigits + (scale > 0 ? 1 + scale : 0));
        return true;
    }
}
