using NJsonSchema.Generation;

namespace Gatehouse.Infrastructure.Web;

/// <summary>
/// Marks every property that cannot be null as required, so that generated clients get
/// <c>Guid Id</c> rather than <c>Guid? Id</c>; nullable ones stay optional.
/// </summary>
public sealed class RequiredUnlessNullable : ISchemaProcessor
{
    public void Process(SchemaProcessorContext context)
    {
        foreach (var property in context.Schema.ActualProperties.Values)
            if (property.IsNullableRaw != true && property.OneOf.All(s => s.IsNullableRaw != true))
                property.IsRequired = true;
    }
}
