namespace Gatehouse.Infrastructure.Database;

/// <summary>The SQLSTATEs Gatehouse's own SQL raises, named once.</summary>
public static class SqlStates
{
    /// <summary>The trigger enforce_last_owner (migrations/functions/enforce_last_owner.sql): the change would leave a workspace without an owner.</summary>
    public const string LastOwner = "GH409";
}
