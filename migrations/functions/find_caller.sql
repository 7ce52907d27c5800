-- The caller by id or provider subject with one membership (the requested workspace, else the
-- active one, else the oldest). Superseded by load_caller (0005), which the API calls instead.
create or replace function find_caller(p_user_id uuid, p_auth0_id text, p_authentik_id text, p_workspace_id uuid)
returns table (user_id uuid, email text, is_active boolean, idp_email text, idp_email_verified boolean,
               idp_name text, workspace_id uuid, role text)
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
#variable_conflict use_column
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
end
$fn$;

revoke execute on function find_caller(uuid, text, text, uuid) from public;
