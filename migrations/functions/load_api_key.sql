-- X-API-Key: the key by the SHA-256 of its secret while it is not revoked. Expiry and the user's
-- active flag are decided by the caller on every request, so a cached key needs no refresh for them.
create or replace function load_api_key(p_key_hash bytea)
returns table (id uuid, user_id uuid, workspace_id uuid, expires_at timestamptz, last_used_at timestamptz)
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
#variable_conflict use_column
begin
    return query
    select k.id, k.user_id, k.workspace_id, k.expires_at, k.last_used_at
    from public.api_keys k
    where k.key_hash = p_key_hash and k.revoked_at is null;
end
$fn$;

revoke execute on function load_api_key(bytea) from public;
