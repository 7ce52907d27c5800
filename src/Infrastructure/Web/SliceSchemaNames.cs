using NJsonSchema.Generation;

namespace Gatehouse.Infrastructure.Web;

/// <summary>
/// Schema names that read well in generated clients: a slice's own types take the slice's name
/// (<c>UpdateProfileRequest</c>), shared types keep their class name (<c>ProfileResponse</c>).
/// </summary>
public sealed class SliceSchemaNames : DefaultSchemaNameGenerator
{
    private const string FeaturesNamespace = "Gatehouse.Features.";

    public override string Generate(Type type)
    {
        var ns = type.Namespace ?? "";
        if (type.IsGenericType || !ns.StartsWith("Gatehouse.", StringComparison.Ordinal))
            return base.Generate(type);

        var name = type.DeclaringType is { } outer ? outer.Name + type.Name : type.Name;
        // Gatehouse.Features.<Area>.<Slice>: the slice's name leads.
        var segments = ns.StartsWith(FeaturesNamespace, StringComparison.Ordinal) ? ns[FeaturesNamespace.Length..].Split('.') : [];
        return segments.Length >= 2 ? segments[^1] + name : name;
    }
}
