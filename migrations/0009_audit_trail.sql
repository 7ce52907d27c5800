-- The audit trail (contract: "Audit trail"): one row per change, written in the change's own
-- transaction. Append-only for the runtime role: it may insert and read (within row-level security)
-- but never update, delete or truncate (grants: Migrator.GrantRuntimeRole). Nothing updates a row;
-- only prune_audit_events, run by the schema owner (`dotnet Api.dll prune-audit`), deletes old ones.
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

-- Owners and admins of a workspace read its events (the request's workspace, membership checked).
create function is_workspace_manager(p_workspace_id uuid) returns boolean
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    result boolean;
begin
    select exists (select 1 from public.workspace_members m
                   where m.workspace_id = p_workspace_id and m.user_id = gatehouse_user_id()
                     and m.role in ('owner', 'admin')) into result;
    perform leave_definer(previous);
    return result;
end
$fn$;

alter table audit_events enable row level security;
alter table audit_events force row level security;

-- The role check is a scalar subquery without outer references: evaluated once per query, not per row.
create policy audit_events_select on audit_events for select
    using (in_definer() or (workspace_id = gatehouse_workspace_id()
                            and (select is_workspace_manager(gatehouse_workspace_id()))));
-- The actor is the request's user. The workspace is the slice's to say: an accepted invitation's
-- event belongs to the inviting workspace, not to the one the request runs in.
create policy audit_events_insert on audit_events for insert
    with check (in_definer() or actor_user_id = gatehouse_user_id());
-- No update policy at all: not even the owner rewrites an event. Deleting is retention's only.
create policy audit_events_delete on audit_events for delete
    using (in_definer());

-- The admin listing (the API checks ADMIN_PERMISSION before calling), newest first. A custom plan
-- per call lets the filters that are null drop out, so each combination uses its own index.
create function admin_list_audit(p_after bigint, p_limit integer, p_action text, p_actor_user_id uuid)
returns table (id bigint, occurred_at timestamptz, action text, actor_user_id uuid, actor_method text,
               actor_api_key_id uuid, workspace_id uuid, target_type text, target_id text, ip text,
               user_agent text, request_id text, details text)
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
set plan_cache_mode = force_custom_plan
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
begin
    return query
    select e.id, e.occurred_at, e.action, e.actor_user_id, e.actor_method, e.actor_api_key_id, e.workspace_id,
           e.target_type, e.target_id, pg_catalog.host(e.ip), e.user_agent, e.request_id, e.details::text
    from public.audit_events e
    where e.id < coalesce(p_after, 9223372036854775807)
      and (p_action is null or e.action = p_action)
      and (p_actor_user_id is null or e.actor_user_id = p_actor_user_id)
    order by e.id desc
    limit least(greatest(p_limit, 1), 101);
    perform leave_definer(previous);
end
$fn$;

-- Retention (README "Operating Gatehouse"): deletes events older than the cutoff, a batch at a time so
-- that no run holds a long lock; returns how many went. For the schema owner only.
create function prune_audit_events(p_before timestamptz, p_batch integer) returns bigint
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    deleted bigint;
begin
    delete from public.audit_events
    where id in (select e.id from public.audit_events e where e.occurred_at < p_before
                 order by e.id limit greatest(p_batch, 1));
    get diagnostics deleted = row_count;
    perform leave_definer(previous);
    return deleted;
end
$fn$;

revoke execute on function is_workspace_manager(uuid) from public;
revoke execute on function admin_list_audit(bigint, integer, text, uuid) from public;
revoke execute on function prune_audit_events(timestamptz, integer) from public;
