namespace Traceability.Domain.Shared;

/// <summary>
/// A broken business rule. <see cref="Code"/> is stable (clients and tests match on it); the messages are for
/// people: Vietnamese first, the cooperative's own language, and English.
/// </summary>
public sealed class DomainException(string code, string messageVi, string messageEn) : Exception(messageEn)
{
    public string Code { get; } = code;
    public string MessageVi { get; } = messageVi;
    public string MessageEn { get; } = messageEn;
}

/// <summary>A field of a command is malformed (a 400 at the API, unlike a broken rule, which is a 422).</summary>
public sealed class InvalidFieldException(string field, string messageVi, string messageEn) : Exception(messageEn)
{
    public string Field { get; } = field;
    public string MessageVi { get; } = messageVi;
    public string MessageEn { get; } = messageEn;
}
