namespace Traceability.Domain.Shared;

/// <summary>The stored, versioned name of an event (<c>batch.dried.v1</c>); renaming the C# type never orphans stored events.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
