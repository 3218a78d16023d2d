using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Traceability.Domain.Shared;

namespace Traceability.Api.Infrastructure;

/// <summary>Makes the OpenAPI document say what the Api really sends.</summary>
public static class OpenApiSchemas
{
    public static Task Describe(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(Gtin) || type == typeof(Gtin?))
        {
            schema.Type = JsonSchemaType.String;
            schema.Pattern = "^([0-9]{8}|[0-9]{12,14})$";
            schema.Description = "A GTIN with a valid GS1 check digit; stored as 14 digits.";
            schema.Properties?.Clear();
        }
        else if (typeof(ProblemDetails).IsAssignableFrom(type))
        {
            // Problems carry a stable code (what clients match on) and the detail in Vietnamese.
            schema.AdditionalPropertiesAllowed = true;
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable error code, e.g. batch.mass_balance." };
            schema.Properties["detailVi"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The detail in Vietnamese." };
            schema.Properties["actualRevision"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "On 409/412: the record's current revision." };
        }

        return Task.CompletedTask;
    }
}
