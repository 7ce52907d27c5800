-- Everything the caches hold about a caller, in one indexed read: the user by id or provider
-- subject, the profile /auth/me answers, the claims last seen, and every membership (oldest first).
create or replace function load_caller(p_user_id uuid, p_auth0_id text, p_authentik_id text)
returns table (user_id uuid, email text, full_name text, avatar_url text, preferences text, is_active boolean,
               idp_email text, idp_email_verified boolean, idp_name text, active_workspace_id uuid,
               workspace_ids uuid[], roles text[])
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
#variable_conflict use_column
begin
    return query
    select u.id, u.email, u.full_name, u.avatar_url, u.preferences::text, u.is_active,
           u.idp_email, u.idp_email_verified, u.idp_name, u.active_workspace_id,
           coalesce(m.workspace_ids, '{}'), coalesce(m.roles, '{}')
    from public.users u
    left join lateral (
        select pg_catalog.array_agg(wm.workspace_id order by wm.created_at, wm.workspace_id) as workspace_ids,
               pg_catalog.array_agg(wm.role order by wm.created_at, wm.workspace_id) as roles
        from public.workspace_members wm
        where wm.user_id = u.id
    ) m on true
    where u.id = p_user_id or u.auth0_id = p_auth0_id or u.authentik_user_id = p_authentik_id
    limit 1;
end
$fn$;

revoke execute on function load_caller(uuid, text, text) from public;
