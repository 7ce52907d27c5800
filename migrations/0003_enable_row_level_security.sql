-- Tenant isolation enforced by PostgreSQL: workspace data stays in its workspace even when a query
-- forgets its WHERE clause.
--
-- Each request's transaction first sets two transaction-local settings (Db.BeginAsync):
--   gatehouse.user_id       the acting user
--   gatehouse.workspace_id  the request's workspace (membership already checked)
-- An unset setting reads as NULL before first use and as '' after a transaction that set it ended;
-- both mean "no context", and no context sees no tenant row.
--
-- Work that must happen before a context exists (finding the caller, first-login provisioning,
-- email linking, API-key lookup, add-member lookup, the admin listing) goes through the SECURITY
-- DEFINER functions below. They run as the schema owner, which FORCE subjects to the policies too;
-- each sets gatehouse.definer = 'on' for its own duration (enter_definer / leave_definer), and every
-- policy admits that combination first (in_definer(): the owner role AND the setting), so the
-- runtime role has no way around the policies and the helpers never recurse into them.
--
-- Policy on users: a user sees their own row and the rows of people they share a workspace with
-- (member lists), and updates only their own row; users are created only by provisioning.

create function gatehouse_user_id() returns uuid
language sql stable
as $$ select nullif(current_setting('gatehouse.user_id', true), '')::uuid $$;

create function gatehouse_workspace_id() returns uuid
language sql stable
as $$ select nullif(current_setting('gatehouse.workspace_id', true), '')::uuid $$;

-- Bracket a SECURITY DEFINER body; leave_definer restores the previous value so that a nested
-- definer call (a policy check during provisioning) leaves the outer one its access.
create function enter_definer() returns text
language plpgsql volatile
as $fn$
declare
    previous text := coalesce(current_setting('gatehouse.definer', true), '');
begin
    perform set_config('gatehouse.definer', 'on', true);
    return previous;
end
$fn$;

create function leave_definer(p_previous text) returns void
language sql volatile
as $$ select set_config('gatehouse.definer', p_previous, true) $$;

do $$
begin
    execute format($f$
        create function in_definer() returns boolean
        language sql volatile
        as $b$ select current_user = %L and current_setting('gatehouse.definer', true) = 'on' $b$
    $f$, current_user);
end
$$;

-- Membership checks used inside policies: SECURITY DEFINER, so that a policy on workspace_members
-- can ask about workspace_members without recursing into itself.
create function is_member(p_workspace_id uuid) returns boolean
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    result boolean;
begin
    select exists (select 1 from workspace_members m
                   where m.workspace_id = p_workspace_id and m.user_id = gatehouse_user_id()) into result;
    perform leave_definer(previous);
    return result;
end
$fn$;

create function shares_workspace(p_user_id uuid) returns boolean
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    result boolean;
begin
    select exists (select 1 from workspace_members mine
                   join workspace_members theirs on theirs.workspace_id = mine.workspace_id
                   where mine.user_id = gatehouse_user_id() and theirs.user_id = p_user_id) into result;
    perform leave_definer(previous);
    return result;
end
$fn$;

-- The caller may add the first member (themselves) to a workspace they have just created.
create function is_new_workspace_of_caller(p_workspace_id uuid) returns boolean
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    result boolean;
begin
    select exists (select 1 from workspaces w
                   where w.id = p_workspace_id and w.created_by = gatehouse_user_id()
                     and not exists (select 1 from workspace_members m where m.workspace_id = p_workspace_id)) into result;
    perform leave_definer(previous);
    return result;
end
$fn$;

alter table users enable row level security;
alter table users force row level security;
alter table workspaces enable row level security;
alter table workspaces force row level security;
alter table workspace_members enable row level security;
alter table workspace_members force row level security;
alter table api_keys enable row level security;
alter table api_keys force row level security;

-- in_definer() comes first in every policy: inside a definer body nothing else is evaluated.
create policy users_select on users for select
    using (in_definer() or id = gatehouse_user_id() or shares_workspace(id));
create policy users_insert on users for insert
    with check (in_definer());
create policy users_update on users for update
    using (in_definer() or id = gatehouse_user_id())
    with check (in_definer() or id = gatehouse_user_id());
create policy users_delete on users for delete
    using (in_definer());

create policy workspaces_select on workspaces for select
    using (in_definer() or is_member(id) or (created_by = gatehouse_user_id() and id = gatehouse_workspace_id()));
create policy workspaces_insert on workspaces for insert
    with check (in_definer() or (created_by = gatehouse_user_id() and id = gatehouse_workspace_id()));
create policy workspaces_update on workspaces for update
    using (in_definer()) with check (in_definer());
create policy workspaces_delete on workspaces for delete
    using (in_definer());

create policy members_select on workspace_members for select
    using (in_definer() or user_id = gatehouse_user_id()
           or (workspace_id = gatehouse_workspace_id() and is_member(workspace_id)));
create policy members_insert on workspace_members for insert
    with check (in_definer() or (workspace_id = gatehouse_workspace_id()
                                 and (is_member(workspace_id) or is_new_workspace_of_caller(workspace_id))));
create policy members_update on workspace_members for update
    using (in_definer() or (workspace_id = gatehouse_workspace_id() and is_member(workspace_id)))
    with check (in_definer() or workspace_id = gatehouse_workspace_id());
create policy members_delete on workspace_members for delete
    using (in_definer() or (workspace_id = gatehouse_workspace_id() and is_member(workspace_id)));

create policy api_keys_own_in_workspace on api_keys for all
    using (in_definer() or (workspace_id = gatehouse_workspace_id() and user_id = gatehouse_user_id()))
    with check (in_definer() or (workspace_id = gatehouse_workspace_id() and user_id = gatehouse_user_id()
                                 and is_member(workspace_id)));

-- Triggers that must see and lock rows beyond the caller's view.
create or replace function enforce_last_owner() returns trigger
language plpgsql security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
begin
    if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner') then
        perform leave_definer(previous);
        return coalesce(new, old);
    end if;
    -- A cascade from a deleted workspace finds no row to lock, and needs no owner.
    perform 1 from workspaces where id = old.workspace_id for update;
    if found and not exists (select 1 from workspace_members
                             where workspace_id = old.workspace_id and role = 'owner' and user_id <> old.user_id) then
        raise exception 'a workspace needs at least one owner'
            using errcode = 'GH409', constraint = 'workspace_last_owner';
    end if;
    perform leave_definer(previous);
    return coalesce(new, old);
end
$fn$;

create function clear_active_workspace() returns trigger
language plpgsql security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
begin
    update users set active_workspace_id = null
    where id = old.user_id and active_workspace_id = old.workspace_id;
    perform leave_definer(previous);
    return old;
end
$fn$;

create trigger workspace_members_clear_active
    after delete on workspace_members
    for each row execute function clear_active_workspace();

-- The caller of a request: the user by id or provider subject, with the chosen membership (the
-- requested workspace, else the active one, else the oldest). The hot path: one indexed read.
create function find_caller(p_user_id uuid, p_auth0_id text, p_authentik_id text, p_workspace_id uuid)
returns table (user_id uuid, email text, is_active boolean, idp_email text, idp_email_verified boolean,
               idp_name text, workspace_id uuid, role text)
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
begin
    return query
    select u.id, u.email, u.is_active, u.idp_email, u.idp_email_verified, u.idp_name, m.workspace_id, m.role
    from users u
    left join lateral (
        select wm.workspace_id, wm.role
        from workspace_members wm
        where wm.user_id = u.id
          and (p_workspace_id is null or wm.workspace_id = p_workspace_id)
        order by wm.workspace_id = u.active_workspace_id desc nulls last, wm.created_at, wm.workspace_id
        limit 1
    ) m on true
    where u.id = p_user_id or u.auth0_id = p_auth0_id or u.authentik_user_id = p_authentik_id;
    perform leave_definer(previous);
end
$fn$;

-- Claims that were absent say nothing; only a claim that differs from the one last seen is written,
-- and the editable profile follows only the field the provider changed.
create function sync_idp_claims(p_user_id uuid, p_email text, p_email_verified boolean, p_name text) returns void
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
begin
    update users set
        idp_email          = coalesce(p_email, idp_email),
        idp_email_verified = case when p_email is null then idp_email_verified else p_email_verified end,
        idp_name           = coalesce(p_name, idp_name),
        email              = case when p_email is not null and idp_email is distinct from p_email then p_email else email end,
        email_verified     = case when p_email is not null
                                   and (idp_email is distinct from p_email or idp_email_verified is distinct from p_email_verified)
                                  then p_email_verified else email_verified end,
        full_name          = case when p_name is not null and idp_name is distinct from p_name then p_name else full_name end,
        updated_at         = now()
    where id = p_user_id
      and ((p_email is not null and (idp_email is distinct from p_email or idp_email_verified is distinct from p_email_verified))
           or (p_name is not null and idp_name is distinct from p_name));
    perform leave_definer(previous);
end
$fn$;

-- Links a provider identity to the one existing user whose address is verified on both sides and
-- whose slot for that provider is free; returns that user, or null (no candidate, or two: a guess).
create function link_identity_by_email(p_provider text, p_subject text, p_email text, p_email_verified boolean, p_name text)
returns uuid
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    candidates uuid[];
    linked uuid;
begin
    if p_email_verified and p_email is not null and p_provider in ('auth0', 'authentik') then
        select array_agg(c.id) into candidates from (
            select u.id from users u
            where lower(u.email) = lower(p_email) and u.email_verified
              and case when p_provider = 'auth0' then u.auth0_id is null else u.authentik_user_id is null end
            order by u.created_at
            limit 2) c;
        if coalesce(array_length(candidates, 1), 0) = 1 then
            update users set
                auth0_id          = case when p_provider = 'auth0' then p_subject else auth0_id end,
                authentik_user_id = case when p_provider = 'authentik' then p_subject else authentik_user_id end,
                idp_email = p_email, idp_email_verified = p_email_verified, idp_name = coalesce(p_name, idp_name),
                updated_at = now()
            where id = candidates[1]
              and case when p_provider = 'auth0' then auth0_id is null else authentik_user_id is null end
            returning id into linked;
        end if;
    end if;
    perform leave_definer(previous);
    return linked;
end
$fn$;

-- First login, in one statement: the user, the default workspace, the owner membership and the
-- default API key (sealed). A concurrent first request of the same subject makes "on conflict do
-- nothing" insert nothing, and every later part of the statement follows suit.
create function provision_user(p_user_id uuid, p_email text, p_email_verified boolean, p_name text,
                               p_auth0_id text, p_authentik_id text, p_workspace_id uuid, p_workspace_name text,
                               p_key_name text, p_key_prefix text, p_key_hash bytea, p_sealed_key text)
returns void
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
begin
    with new_user as (
        insert into users (id, email, email_verified, full_name, auth0_id, authentik_user_id,
                           idp_email, idp_email_verified, idp_name, active_workspace_id)
        values (p_user_id, p_email, p_email_verified, p_name, p_auth0_id, p_authentik_id,
                p_email, p_email_verified, p_name, p_workspace_id)
        on conflict do nothing
        returning id
    ), new_workspace as (
        insert into workspaces (id, name, created_by)
        select p_workspace_id, p_workspace_name, id from new_user
        returning id, created_by
    ), membership as (
        insert into workspace_members (workspace_id, user_id, role)
        select id, created_by, 'owner' from new_workspace
    )
    insert into api_keys (workspace_id, user_id, name, prefix, key_hash, sealed_key, is_default)
    select id, created_by, p_key_name, p_key_prefix, p_key_hash, p_sealed_key, true from new_workspace;
    perform leave_definer(previous);
end
$fn$;

-- System mode's FIRST_SUPERUSER, created once even when instances start together.
create function ensure_superuser(p_email text, p_user_id uuid, p_workspace_id uuid) returns uuid
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    found_id uuid;
begin
    perform pg_advisory_xact_lock(hashtext('gatehouse.first_superuser'));
    select u.id into found_id from users u where lower(u.email) = lower(p_email) and u.is_superuser order by u.created_at limit 1;
    if found_id is null then
        insert into users (id, email, email_verified, full_name, is_superuser)
        values (p_user_id, p_email, true, 'System', true);
        insert into workspaces (id, name, created_by) values (p_workspace_id, 'System workspace', p_user_id);
        insert into workspace_members (workspace_id, user_id, role) values (p_workspace_id, p_user_id, 'owner');
        update users set active_workspace_id = p_workspace_id where id = p_user_id;
        found_id := p_user_id;
    end if;
    perform leave_definer(previous);
    return found_id;
end
$fn$;

-- X-API-Key: the key by the SHA-256 of its secret, when it is live and its user active.
create function authenticate_api_key(p_key_hash bytea)
returns table (id uuid, user_id uuid, workspace_id uuid, last_used_at timestamptz)
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
begin
    return query
    select k.id, k.user_id, k.workspace_id, k.last_used_at
    from api_keys k
    join users u on u.id = k.user_id
    where k.key_hash = p_key_hash
      and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > now())
      and u.is_active;
    perform leave_definer(previous);
end
$fn$;

-- last_used_at has minute resolution: at most one write per key per minute.
create function touch_api_key(p_id uuid) returns void
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
begin
    update api_keys set last_used_at = now()
    where id = p_id and (last_used_at is null or last_used_at < now() - interval '1 minute');
    perform leave_definer(previous);
end
$fn$;

-- AddMember: only a verified address identifies a person; at most two ids come back (two: ambiguous).
create function find_verified_users_by_email(p_email text) returns setof uuid
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
declare
    previous text := enter_definer();
begin
    return query
    select u.id from users u
    where lower(u.email) = lower(p_email) and u.email_verified and u.is_active
    order by u.created_at
    limit 2;
    perform leave_definer(previous);
end
$fn$;

-- The admin listing (the API checks ADMIN_PERMISSION before calling): keyset pagination on the id.
create function admin_list_users(p_after uuid, p_limit integer)
returns table (id uuid, email text, email_verified boolean, full_name text, is_active boolean,
               is_superuser boolean, created_at timestamptz)
language plpgsql volatile security definer set search_path = public, pg_temp
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
begin
    return query
    select u.id, u.email, u.email_verified, u.full_name, u.is_active, u.is_superuser, u.created_at
    from users u
    where p_after is null or u.id > p_after
    order by u.id
    limit least(greatest(p_limit, 1), 101);
    perform leave_definer(previous);
end
$fn$;

-- Functions are executable by PUBLIC by default; the definer ones and the bracket helpers are for
-- the API's roles only (the migrator grants the runtime role what it calls).
do $$
declare
    f regprocedure;
begin
    for f in select p.oid::regprocedure from pg_proc p
             where p.pronamespace = 'public'::regnamespace
               and (p.prosecdef or p.proname in ('enter_definer', 'leave_definer')) loop
        execute format('revoke execute on function %s from public', f);
    end loop;
end
$$;
