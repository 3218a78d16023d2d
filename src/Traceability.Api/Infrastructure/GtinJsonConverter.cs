using System.Text.Json;
using System.Text.Json.Serialization;
using Traceability.Domain.Shared;

namespace Traceability.Api.Infrastructure;

/// <summary>A GTIN travels as its digits; a wrong check digit is refused while the request is read (a 400).</summary>
public sealed class GtinJsonConverter : JsonConverter<Gtin>
{
    public override Gtin Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && Gtin.TryParse(reader.GetString(), out var gtin)
            ? gtin
            : throw new JsonException("Not a valid GTIN: 8, 12, 13 or 14 digits with a correct GS1 check digit.");

    public override void Write(Utf8JsonWriter writer, Gtin value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
