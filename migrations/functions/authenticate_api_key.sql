-- The key by the SHA-256 of its secret, when it is live and its user active. Superseded by
-- load_api_key (0005), which the API calls instead.
create or replace function authenticate_api_key(p_key_hash bytea)
returns table (id uuid, user_id uuid, workspace_id uuid, last_used_at timestamptz)
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
#variable_conflict use_column
begin
    return query
    select k.id, k.user_id, k.workspace_id, k.last_used_at
    from api_keys k
    join users u on u.id = k.user_id
    where k.key_hash = p_key_hash
      and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > pg_catalog.now())
      and u.is_active;
end
$fn$;

revoke execute on function authenticate_api_key(bytea) from public;
