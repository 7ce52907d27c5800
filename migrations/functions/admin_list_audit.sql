-- The admin listing (the API checks ADMIN_PERMISSION before calling), newest first. A custom plan
-- per call lets the filters that are null drop out, so each combination uses its own index.
create or replace function admin_list_audit(p_after bigint, p_limit integer, p_action text, p_actor_user_id uuid)
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
