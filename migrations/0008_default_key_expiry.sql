-- Secrets at rest (issue #15).
--
-- 1. The default API key made at first login expires DEFAULT_API_KEY_TTL_DAYS after it was made.
--    provision_user takes that lifetime from the API (a new parameter, so a new signature: the old
--    one is dropped rather than left callable beside it). expires_at is computed from the same
--    now() as created_at, so it is exactly created_at + TTL.
drop function provision_user(uuid, text, boolean, text, text, text, uuid, text, text, text, bytea, text);

create function provision_user(p_user_id uuid, p_email text, p_email_verified boolean, p_name text,
                               p_auth0_id text, p_authentik_id text, p_workspace_id uuid, p_workspace_name text,
                               p_key_name text, p_key_prefix text, p_key_hash bytea, p_sealed_key text,
                               p_key_ttl interval)
returns void
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
begin
    -- A missing or non-positive lifetime would make a key that never expires: refuse it.
    if p_key_ttl is null or p_key_ttl <= interval '0' then
        raise exception 'provision_user: p_key_ttl must be a positive interval' using errcode = '22023';
    end if;
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
    )
    insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, sealed_key, is_default, created_at, expires_at)
    select id, created_by, p_key_name, p_key_prefix, p_key_hash, p_sealed_key, true, pg_catalog.now(), pg_catalog.now() + p_key_ttl
    from new_workspace;
    perform leave_definer(previous);
end
$fn$;

revoke execute on function provision_user(uuid, text, boolean, text, text, text, uuid, text, text, text, bytea, text, interval) from public;

-- 2. Default keys made before this migration never expired. The contract says a default key
--    expires TTL after it was made, so they get created_at + the default TTL (90 days): one older
--    than that is refused from now on (its user gets a fresh key by creating one). A deployment
--    with another DEFAULT_API_KEY_TTL_DAYS can adjust these rows once with the same update.
update public.api_keys
set expires_at = created_at + interval '90 days'
where is_default and expires_at is null;

-- 3. The runtime role's grants on data_protection_keys are narrowed by the migrator
--    (Migrator.GrantRuntimeRole): Data Protection only reads and appends keys, so it gets select
--    and insert there, never update, delete or truncate.
