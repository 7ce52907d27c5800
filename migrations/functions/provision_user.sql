-- First login, in one statement: the user, the default workspace, the owner membership, the default
-- API key (sealed) and the user.provisioned event. A concurrent first request of the same subject
-- makes "on conflict do nothing" insert nothing, and every later part of the statement follows suit.
create or replace function provision_user(p_user_id uuid, p_email text, p_email_verified boolean, p_name text,
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
