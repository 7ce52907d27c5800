using System.Text.Json;

namespace Gatehouse.Features.Audit;

/// <summary>A page of events, newest first: shared by ListWorkspaceAudit and ListAllAudit (one contract shape).</summary>
internal sealed class AuditPage
{
    public IReadOnlyList<AuditEvent> Items { get; init; } = [];
    /// <summary>Pass as <c>after</c> for the next (older) page; null on the last page.</summary>
    public long? Next { get; init; }

    internal sealed class AuditEvent
    {
        public long Id { get; init; }
        public DateTimeOffset OccurredAt { get; init; }
        public string Action { get; init; } = "";
        public AuditActorResponse Actor { get; init; } = new();
        public Guid? WorkspaceId { get; init; }
        public AuditTargetResponse Target { get; init; } = new();
        public string? Ip { get; init; }
        public string? UserAgent { get; init; }
        public string? RequestId { get; init; }
        public JsonElement Details { get; init; }
    }

    internal sealed class AuditActorResponse
    {
        public Guid? UserId { get; init; }
        /// <summary>auth0, authentik, api_key or system.</summary>
        public string Method { get; init; } = "";
        public Guid? ApiKeyId { get; init; }
    }

    internal sealed class AuditTargetResponse
    {
        /// <summary>user, workspace, api_key or invitation.</summary>
        public string Type { get; init; } = "";
        public string Id { get; init; } = "";
    }

    /// <summary>The columns both slices select, flat as SQL returns them.</summary>
    internal sealed record Row
    {
        public long Id { get; init; }
        public DateTimeOffset OccurredAt { get; init; }
        public string Action { get; init; } = "";
        public Guid? ActorUserId { get; init; }
        public string ActorMethod { get; init; } = "";
        public Guid? ActorApiKeyId { get; init; }
        public Guid? WorkspaceId { get; init; }
        public string TargetType { get; init; } = "";
        public string TargetId { get; init; } = "";
        public string? Ip { get; init; }
        public string? UserAgent { get; init; }
        public string? RequestId { get; init; }
        public string Details { get; init; } = "{}";
    }

    /// <summary>Rows fetched with one extra beyond <paramref name="limit"/>, which says whether a next page exists.</summary>
    public static AuditPage From(IReadOnlyList<Row> rows, int limit)
    {
        var page = rows.Take(limit).Select(r => new AuditEvent
        {
            Id = r.Id, OccurredAt = r.OccurredAt, Action = r.Action,
            Actor = new AuditActorResponse { UserId = r.ActorUserId, Method = r.ActorMethod, ApiKeyId = r.ActorApiKeyId },
            WorkspaceId = r.WorkspaceId, Target = new AuditTargetResponse { Type = r.TargetType, Id = r.TargetId },
            Ip = r.Ip, UserAgent = r.UserAgent, RequestId = r.RequestId,
            Details = JsonDocument.Parse(r.Details).RootElement.Clone(),
        }).ToList();
        return new AuditPage { Items = page, Next = rows.Count > limit ? page[^1].Id : null };
    }

    internal static readonly AuditPage Example = new()
    {
        Items =
        [
            new AuditEvent
            {
                Id = 42, OccurredAt = DateTimeOffset.Parse("2026-11-25T12:00:00Z"), Action = AuditAction.MemberAdded,
                Actor = new AuditActorResponse { UserId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f70"), Method = "auth0" },
                WorkspaceId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71"),
                Target = new AuditTargetResponse { Type = "user", Id = "0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f72" },
                Ip = "203.0.113.7", UserAgent = "Mozilla/5.0", RequestId = "0HN8:00000001",
                Details = JsonDocument.Parse("""{"role":"admin"}""").RootElement.Clone(),
            },
        ],
        Next = 42,
    };
}
