-- First login, in one statement: the user, the default workspace, the owner membership and the
-- default API key (sealed). A concurrent first request of the same subject makes "on conflict do
-- nothing" insert nothing, and every later part of the statement follows suit.
create or replace function provision_user(p_user_id uuid, p_email text, p_email_verified boolean, p_name text,
                                          p_auth0_id text, p_authentik_id text, p_workspace_id uuid, p_workspace_name text,
                                          p_key_name text, p_key_prefix text, p_key_hash bytea, p_sealed_key text,
                                          p_key_ttl interval)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
begin
    -- A missing or non-positive lifetime would make a default key that never expires: refuse it.
    if p_key_ttl is null or p_key_ttl <= interval '0' then
        raise exception 'provision_user: p_key_ttl must be a positive interval' using errcode = '22023';
    end if;
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
    -- expires_at uses the same now() as created_at: exactly created_at + TTL.
    insert into api_keys (workspace_id, user_id, name, prefix, key_hash, sealed_key, is_default, created_at, expires_at)
    select id, created_by, p_key_name, p_key_prefix, p_key_hash, p_sealed_key, true, pg_catalog.now(), pg_catalog.now() + p_key_ttl
    from new_workspace;
end
$fn$;

revoke execute on function provision_user(uuid, text, boolean, text, text, text, uuid, text, text, text, bytea, text, interval) from public;
