-- The audit trail (contract: "Audit trail"): one row per change, written in the change's own
-- transaction. Append-only for the runtime role: it may insert and read (within row-level security)
-- but never update, delete or truncate (grants: Migrator.GrantRuntimeRole). Nothing updates a row;
-- only prune_audit_events (migrations/functions/), run by the schema owner, deletes old ones.
--
-- workspace_id has no foreign key on purpose: a workspace.deleted event outlives its workspace, and
-- user ids are kept as they were when the user is gone.

create table audit_events (
    id               bigint generated always as identity primary key,
    occurred_at      timestamptz not null default now(),
    action           text not null check (action in (
                         'user.provisioned', 'user.linked', 'user.profile_updated', 'user.disabled', 'user.enabled',
                         'workspace.created', 'workspace.deleted',
                         'member.added', 'member.role_changed', 'member.removed',
                         'invitation.created', 'invitation.accepted', 'invitation.declined', 'invitation.revoked',
                         'api_key.created', 'api_key.revealed', 'api_key.revoked')),
    actor_user_id    uuid,
    -- AuthMethod: how the actor authenticated; an API key's id is kept with it.
    actor_method     text not null check (actor_method in ('auth0', 'authentik', 'api_key', 'system')),
    actor_api_key_id uuid,
    workspace_id     uuid,
    target_type      text not null check (target_type in ('user', 'workspace', 'api_key', 'invitation')),
    target_id        text not null check (char_length(target_id) between 1 and 100),
    ip               inet,
    user_agent       text check (char_length(user_agent) <= 512),
    request_id       text check (char_length(request_id) <= 128),
    -- Small and never a secret: which fields changed, a role, a provider; never a key, token or hash.
    details          jsonb not null default '{}'::jsonb
                     check (jsonb_typeof(details) = 'object' and pg_column_size(details) <= 4096),
    check ((actor_method = 'api_key') = (actor_api_key_id is not null))
);

-- GET /workspaces/{id}/audit and GET /admin/audit (newest first, keyset on id; the primary key serves
-- the unfiltered admin listing).
create index audit_events_workspace_idx on audit_events (workspace_id, id desc) where workspace_id is not null;
create index audit_events_action_idx on audit_events (action, id desc);
create index audit_events_actor_idx on audit_events (actor_user_id, id desc) where actor_user_id is not null;
-- Retention deletes by age: rows arrive in time order, so a BRIN index is tiny and costs inserts nothing.
create index audit_events_occurred_brin on audit_events using brin (occurred_at);

alter table audit_events enable row level security;
alter table audit_events force row level security;

-- Owners and admins of the request's workspace read its events. The caller's own membership row is
-- visible to them (members_select), and the scalar subquery has no outer reference: PostgreSQL
-- evaluates it once per query, not once per row.
create policy audit_events_select on audit_events for select
    using (in_definer() or (workspace_id = gatehouse_workspace_id()
                            and (select exists (select 1 from workspace_members m
                                                where m.workspace_id = gatehouse_workspace_id()
                                                  and m.user_id = gatehouse_user_id()
                                                  and m.role in ('owner', 'admin')))));
-- The actor is the request's user. The workspace is the slice's to say: an accepted invitation's
-- event belongs to the inviting workspace, not to the one the request runs in.
create policy audit_events_insert on audit_events for insert
    with check (in_definer() or actor_user_id = gatehouse_user_id());
-- No update policy at all: not even the owner rewrites an event. Deleting is retention's only.
create policy audit_events_delete on audit_events for delete
    using (in_definer());

-- Changes made before a request has a context (first login, linking, claims from a token) are
-- recorded inside the SECURITY DEFINER function that makes them, in the same statement, with the
-- request's client passed in: migrations/functions/provision_user.sql (its old signature went in
-- 0008), link_identity_by_email.sql, sync_idp_claims.sql, ensure_superuser.sql. The old signatures
-- go, so that no caller can skip the event; admin_set_user_active now also says whether it changed
-- anything (a new return type). The function files re-create them after the run-once scripts.
drop function link_identity_by_email(text, text, text, boolean, text);
drop function sync_idp_claims(uuid, text, boolean, text);
drop function admin_set_user_active(uuid, boolean);
