-- No object the runtime role could create is ever run with the schema owner's rights.
--
-- 1. Nobody but the owner creates in schema public. PostgreSQL 15 no longer grants CREATE there to
--    PUBLIC, but a database created under an older version (or a generous DBA) may still have it;
--    the migrator also revokes it from the runtime role by name (Migrator.GrantRuntimeRole).
-- 2. Every function pins search_path = pg_catalog, public, pg_temp: built-ins resolve first, the
--    session's search_path is never consulted, and pg_temp (where any role may create temporary
--    tables and types) comes last. Functions and operators are never looked up in pg_temp.
-- 3. Built-in functions called from SECURITY DEFINER bodies (and from the helpers those bodies call)
--    are schema-qualified. A pinned path is not enough on its own: a function in a later schema whose
--    argument types match more exactly (public.array_length(uuid[], integer) against
--    pg_catalog.array_length(anyarray, integer)) still wins the overload resolution, and an object
--    created while CREATE was open outlives its revocation. Operators are left unqualified: every one
--    used here is an exact match in pg_catalog, which the pinned path searches first.
--
-- Also: the system-mode user (FIRST_SUPERUSER) is marked, and never linked to a provider identity.

revoke create on schema public from public;

alter table users add column is_system_user boolean not null default false;
-- Rows ensure_superuser made; one a provider identity already took belongs to that person now, and
-- system mode makes itself a new one.
update users set is_system_user = true where is_superuser and auth0_id is null and authentik_user_id is null;
alter table users add constraint users_system_user_unlinked
    check (not is_system_user or (auth0_id is null and authentik_user_id is null));

-- Bodies that call no built-in function: pinning the path is all they need.
alter function enforce_last_owner() set search_path = pg_catalog, public, pg_temp;
alter function clear_active_workspace() set search_path = pg_catalog, public, pg_temp;
alter function is_member(uuid) set search_path = pg_catalog, public, pg_temp;
alter function shares_workspace(uuid) set search_path = pg_catalog, public, pg_temp;
alter function is_new_workspace_of_caller(uuid) set search_path = pg_catalog, public, pg_temp;
alter function find_caller(uuid, text, text, uuid) set search_path = pg_catalog, public, pg_temp;
alter function provision_user(uuid, text, boolean, text, text, text, uuid, text, text, text, bytea, text)
    set search_path = pg_catalog, public, pg_temp;
alter function admin_list_users(uuid, integer) set search_path = pg_catalog, public, pg_temp;

-- The context readers and the definer bracket run inside definer bodies, with the owner's rights.
create or replace function gatehouse_user_id() returns uuid
language sql stable set search_path = pg_catalog, public, pg_temp
as $$ select nullif(pg_catalog.current_setting('gatehouse.user_id', true), '')::pg_catalog.uuid $$;

create or replace function gatehouse_workspace_id() returns uuid
language sql stable set search_path = pg_catalog, public, pg_temp
as $$ select nullif(pg_catalog.current_setting('gatehouse.workspace_id', true), '')::pg_catalog.uuid $$;

create or replace function enter_definer() returns text
language plpgsql volatile set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := coalesce(pg_catalog.current_setting('gatehouse.definer', true), '');
begin
    perform pg_catalog.set_config('gatehouse.definer', 'on', true);
    return previous;
end
$fn$;

create or replace function leave_definer(p_previous text) returns void
language sql volatile set search_path = pg_catalog, public, pg_temp
as $$ select pg_catalog.set_config('gatehouse.definer', p_previous, true) $$;

do $$
begin
    execute pg_catalog.format($f$
        create or replace function in_definer() returns boolean
        language sql volatile set search_path = pg_catalog, public, pg_temp
        as $b$ select current_user = %L and pg_catalog.current_setting('gatehouse.definer', true) = 'on' $b$
    $f$, current_user);
end
$$;

create or replace function sync_idp_claims(p_user_id uuid, p_email text, p_email_verified boolean, p_name text) returns void
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
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
        updated_at         = pg_catalog.now()
    where id = p_user_id
      and ((p_email is not null and (idp_email is distinct from p_email or idp_email_verified is distinct from p_email_verified))
           or (p_name is not null and idp_name is distinct from p_name));
    perform leave_definer(previous);
end
$fn$;

-- Links a provider identity to the one existing user whose address is verified on both sides and
-- whose slot for that provider is free; returns that user, or null (no candidate, or two: a guess).
-- The system-mode user is never a candidate: a token bearing its email gets a user of its own.
create or replace function link_identity_by_email(p_provider text, p_subject text, p_email text, p_email_verified boolean, p_name text)
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
            select u.id from users u
            where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.email_verified and not u.is_system_user
              and case when p_provider = 'auth0' then u.auth0_id is null else u.authentik_user_id is null end
            order by u.created_at
            limit 2) c;
        if coalesce(pg_catalog.array_length(candidates, 1), 0) = 1 then
            update users set
                auth0_id          = case when p_provider = 'auth0' then p_subject else auth0_id end,
                authentik_user_id = case when p_provider = 'authentik' then p_subject else authentik_user_id end,
                idp_email = p_email, idp_email_verified = p_email_verified, idp_name = coalesce(p_name, idp_name),
                updated_at = pg_catalog.now()
            where id = candidates[1] and not is_system_user
              and case when p_provider = 'auth0' then auth0_id is null else authentik_user_id is null end
            returning id into linked;
        end if;
    end if;
    perform leave_definer(previous);
    return linked;
end
$fn$;

-- System mode's FIRST_SUPERUSER, created once even when instances start together, and marked.
create or replace function ensure_superuser(p_email text, p_user_id uuid, p_workspace_id uuid) returns uuid
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    found_id uuid;
begin
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('gatehouse.first_superuser'));
    select u.id into found_id from users u
    where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.is_system_user
    order by u.created_at limit 1;
    if found_id is null then
        insert into users (id, email, email_verified, full_name, is_superuser, is_system_user)
        values (p_user_id, p_email, true, 'System', true, true);
        insert into workspaces (id, name, created_by) values (p_workspace_id, 'System workspace', p_user_id);
        insert into workspace_members (workspace_id, user_id, role) values (p_workspace_id, p_user_id, 'owner');
        update users set active_workspace_id = p_workspace_id where id = p_user_id;
        found_id := p_user_id;
    end if;
    perform leave_definer(previous);
    return found_id;
end
$fn$;

create or replace function authenticate_api_key(p_key_hash bytea)
returns table (id uuid, user_id uuid, workspace_id uuid, last_used_at timestamptz)
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
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
      and (k.expires_at is null or k.expires_at > pg_catalog.now())
      and u.is_active;
    perform leave_definer(previous);
end
$fn$;

create or replace function touch_api_key(p_id uuid) returns void
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
begin
    update api_keys set last_used_at = pg_catalog.now()
    where id = p_id and (last_used_at is null or last_used_at < pg_catalog.now() - interval '1 minute');
    perform leave_definer(previous);
end
$fn$;

create or replace function find_verified_users_by_email(p_email text) returns setof uuid
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
begin
    return query
    select u.id from users u
    where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.email_verified and u.is_active
    order by u.created_at
    limit 2;
    perform leave_definer(previous);
end
$fn$;
