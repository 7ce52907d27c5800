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

-- Changes made before a request has a context (first login, linking, claims from a token) are
-- recorded inside the SECURITY DEFINER function that makes them, in the same statement, with the
-- request's client passed in. The old signatures go, so that no caller can skip the event.

drop function provision_user(uuid, text, boolean, text, text, text, uuid, text, text, text, bytea, text);
drop function link_identity_by_email(text, text, text, boolean, text);
drop function sync_idp_claims(uuid, text, boolean, text);

-- First login, in one statement: the user, the default workspace, the owner membership, the default
-- API key (sealed) and the user.provisioned event. A concurrent first request of the same subject
-- makes "on conflict do nothing" insert nothing, and every later part of the statement follows suit.
create function provision_user(p_user_id uuid, p_email text, p_email_verified boolean, p_name text,
                               p_auth0_id text, p_authentik_id text, p_workspace_id uuid, p_workspace_name text,
                               p_key_name text, p_key_prefix text, p_key_hash bytea, p_sealed_key text,
                               p_ip inet, p_user_agent text, p_request_id text)
returns void
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    provider text := case when p_auth0_id is not null then 'auth0' else 'authentik' end;
begin
    with new_user as (
        insert into public.users (id, email, email_verified, full_name, auth0_id, authentik_user_id,
                                  idp_email, idp_email_verified, idp_name, active_workspace_id)
        values (p_user_id, p_email, p_email_verified, p_name, p_auth0_id, p_authentik_id,
                p_email, p_email_verified, p_name, p_workspace_id)
        on conflict do nothing
        returning id
    ), new_workspace as (
        insert into public.workspaces (id, name, created_by)
        select p_workspace_id, p_workspace_name, id from new_user
        returning id, created_by
    ), membership as (
        insert into public.workspace_members (workspace_id, user_id, role)
        select id, created_by, 'owner' from new_workspace
    ), event as (
        insert into public.audit_events (action, actor_user_id, actor_method, workspace_id, target_type, target_id,
                                         ip, user_agent, request_id, details)
        select 'user.provisioned', id, provider, p_workspace_id, 'user', id::text, p_ip, p_user_agent, p_request_id,
               pg_catalog.jsonb_build_object('provider', provider)
        from new_user
    )
    insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, sealed_key, is_default)
    select id, created_by, p_key_name, p_key_prefix, p_key_hash, p_sealed_key, true from new_workspace;
    perform leave_definer(previous);
end
$fn$;

-- Links a provider identity to the one existing user whose address is verified on both sides and
-- whose slot for that provider is free, and records user.linked; returns that user, or null (no
-- candidate, or two: a guess). The system-mode user is never a candidate.
create function link_identity_by_email(p_provider text, p_subject text, p_email text, p_email_verified boolean, p_name text,
                                       p_ip inet, p_user_agent text, p_request_id text)
returns uuid
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    candidates uuid[];
    linked uuid;
begin
    if p_email_verified and p_email is not null and p_provider in ('auth0', 'authentik') then
        select pg_catalog.array_agg(c.id) into candidates from (
            select u.id from public.users u
            where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.email_verified and not u.is_system_user
              and case when p_provider = 'auth0' then u.auth0_id is null else u.authentik_user_id is null end
            order by u.created_at
            limit 2) c;
        if coalesce(pg_catalog.array_length(candidates, 1), 0) = 1 then
            update public.users set
                auth0_id          = case when p_provider = 'auth0' then p_subject else auth0_id end,
                authentik_user_id = case when p_provider = 'authentik' then p_subject else authentik_user_id end,
                idp_email = p_email, idp_email_verified = p_email_verified, idp_name = coalesce(p_name, idp_name),
                updated_at = pg_catalog.now()
            where id = candidates[1] and not is_system_user
              and case when p_provider = 'auth0' then auth0_id is null else authentik_user_id is null end
            returning id into linked;
        end if;
    end if;
    if linked is not null then
        -- The subject identifies the identity that joined the account; it is not a secret.
        insert into public.audit_events (action, actor_user_id, actor_method, target_type, target_id,
                                         ip, user_agent, request_id, details)
        values ('user.linked', linked, p_provider, 'user', linked::text, p_ip, p_user_agent, p_request_id,
                pg_catalog.jsonb_build_object('provider', p_provider, 'subject', p_subject));
    end if;
    perform leave_definer(previous);
    return linked;
end
$fn$;

-- Claims that were absent say nothing; only a claim that differs from the one last seen is written,
-- and the editable profile follows only the field the provider changed. When the profile changed,
-- user.profile_updated names the fields (not their values).
create function sync_idp_claims(p_user_id uuid, p_email text, p_email_verified boolean, p_name text,
                                p_provider text, p_ip inet, p_user_agent text, p_request_id text)
returns void
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    old_row public.users%rowtype;
    new_row public.users%rowtype;
    fields text[] := '{}';
begin
    select * into old_row from public.users where id = p_user_id for update;
    update public.users set
        idp_email          = coalesce(p_email, idp_email),
        idp_email_verified = case when p_email is null then idp_email_verified else p_email_verified end,
        idp_name           = coalesce(p_name, idp_name),
        email              = case when p_email is not null and idp_email is distinct from p_email then p_email else email end,
        email_verified     = case when p_email is not null
                                   and (idp_email is distinct from p_email or idp_email_verified is distinct from p_email_verified)
                                  then p_email_verified else email_verified end,
        full_name          = case when p_name is not null and idp_name is distinct from p_name then p_name else full_name end,
        updated_at         = pg_catalog.now()
    where id = p_user_id
      and ((p_email is not null and (idp_email is distinct from p_email or idp_email_verified is distinct from p_email_verified))
           or (p_name is not null and idp_name is distinct from p_name))
    returning * into new_row;
    if new_row.id is not null then
        if new_row.email is distinct from old_row.email then fields := fields || 'email'::text; end if;
        if new_row.email_verified is distinct from old_row.email_verified then fields := fields || 'email_verified'::text; end if;
        if new_row.full_name is distinct from old_row.full_name then fields := fields || 'full_name'::text; end if;
    end if;
    if pg_catalog.cardinality(fields) > 0 then
        insert into public.audit_events (action, actor_user_id, actor_method, target_type, target_id,
                                         ip, user_agent, request_id, details)
        values ('user.profile_updated', p_user_id, p_provider, 'user', p_user_id::text, p_ip, p_user_agent, p_request_id,
                pg_catalog.jsonb_build_object('fields', pg_catalog.to_jsonb(fields), 'source', 'identity_provider'));
    end if;
    perform leave_definer(previous);
end
$fn$;

-- System mode's FIRST_SUPERUSER, created once even when instances start together; its creation is
-- a user.provisioned event by the system itself (no request, so no client).
create or replace function ensure_superuser(p_email text, p_user_id uuid, p_workspace_id uuid) returns uuid
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    found_id uuid;
begin
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('gatehouse.first_superuser'));
    select u.id into found_id from public.users u
    where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.is_system_user
    order by u.created_at limit 1;
    if found_id is null then
        insert into public.users (id, email, email_verified, full_name, is_superuser, is_system_user)
        values (p_user_id, p_email, true, 'System', true, true);
        insert into public.workspaces (id, name, created_by) values (p_workspace_id, 'System workspace', p_user_id);
        insert into public.workspace_members (workspace_id, user_id, role) values (p_workspace_id, p_user_id, 'owner');
        update public.users set active_workspace_id = p_workspace_id where id = p_user_id;
        insert into public.audit_events (action, actor_user_id, actor_method, workspace_id, target_type, target_id, details)
        values ('user.provisioned', p_user_id, 'system', p_workspace_id, 'user', p_user_id::text,
                pg_catalog.jsonb_build_object('provider', 'system'));
        found_id := p_user_id;
    end if;
    perform leave_definer(previous);
    return found_id;
end
$fn$;

-- PATCH /admin/users/{id}: as before (0006), plus whether is_active really changed, so that the API
-- records user.disabled or user.enabled for a change and nothing for a repeat.
drop function admin_set_user_active(uuid, boolean);
create function admin_set_user_active(p_user_id uuid, p_is_active boolean)
returns table (id uuid, email text, email_verified boolean, full_name text, is_active boolean,
               is_superuser boolean, created_at timestamptz, changed boolean)
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
    did_change boolean;
begin
    update public.users u set is_active = p_is_active, updated_at = pg_catalog.now()
    where u.id = p_user_id and u.is_active is distinct from p_is_active;
    did_change := found;
    -- No row: no such user.
    return query
    select u.id, u.email, u.email_verified, u.full_name, u.is_active, u.is_superuser, u.created_at, did_change
    from public.users u
    where u.id = p_user_id;
    perform leave_definer(previous);
end
$fn$;

revoke execute on function provision_user(uuid, text, boolean, text, text, text, uuid, text, text, text, bytea, text, inet, text, text) from public;
revoke execute on function link_identity_by_email(text, text, text, boolean, text, inet, text, text) from public;
revoke execute on function sync_idp_claims(uuid, text, boolean, text, text, inet, text, text) from public;
revoke execute on function admin_set_user_active(uuid, boolean) from public;
