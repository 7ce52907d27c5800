using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Gatehouse.Infrastructure.Telemetry;

/// <summary>
/// JSON lines in the shape of ASP.NET Core's JSON console formatter (Timestamp, LogLevel, Category,
/// Message, State, Scopes), without what made its lines ~2 KB: the message is not repeated in State
/// nor beside the template, and of the scopes only the trace and span ids are written (the request's
/// and connection's scopes repeat what the trace already leads to). Values are escaped by
/// System.Text.Json's default encoder, so a value from a request cannot break a line.
/// </summary>
public sealed class CompactJsonFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "gatehouse-json";
    private const string OriginalFormat = "{OriginalFormat}";

    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] private static Utf8JsonWriter? _writer;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
            return;

        var buffer = _buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var json = _writer ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);

        json.WriteStartObject();
        json.WriteString("Timestamp", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        json.WriteString("LogLevel", Level(logEntry.LogLevel));
        json.WriteString("Category", logEntry.Category);
        if (logEntry.EventId.Id != 0)
            json.WriteNumber("EventId", logEntry.EventId.Id);
        json.WriteString("Message", message);
        if (logEntry.Exception is { } exception)
            json.WriteString("Exception", exception.ToString());

        if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> state && state.Count > 1)
        {
            json.WriteStartObject("State");
            foreach (var (key, value) in state)
                if (key != OriginalFormat)
                    WriteValue(json, key, value);
            json.WriteEndObject();
        }

        string? traceId = null, spanId = null;
        scopeProvider?.ForEachScope((scope, _) =>
        {
            // The scope ActivityTrackingOptions adds: TraceId and SpanId (and nothing else is kept).
            if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                foreach (var (key, value) in pairs)
                {
                    if (key == "TraceId") traceId = value?.ToString();
                    else if (key == "SpanId") spanId = value?.ToString();
                }
        }, (object?)null);
        if (traceId is not null)
        {
            json.WriteStartArray("Scopes");
            json.WriteStartObject();
            json.WriteString("TraceId", traceId);
            if (spanId is not null)
                json.WriteString("SpanId", spanId);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.Flush();
        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write(Environment.NewLine);
        // A rare huge line (an exception) does not keep its buffer for the thread's lifetime.
        if (buffer.Capacity > 64 * 1024)
        {
            _buffer = null;
            _writer = null;
        }
    }

    private static void WriteValue(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null: json.WriteNull(key); break;
            case bool b: json.WriteBoolean(key, b); break;
            case int i: json.WriteNumber(key, i); break;
            case long l: json.WriteNumber(key, l); break;
            case double d: json.WriteNumber(key, d); break;
            case IFormattable f: json.WriteString(key, f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: json.WriteString(key, value.ToString()); break;
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => "None",
    };
}
