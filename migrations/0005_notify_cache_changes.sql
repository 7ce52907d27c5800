-- Cache coherence between instances (src/Infrastructure/Caching): every change to a row that an
-- instance may hold in memory names that row on the channel 'gatehouse_cache'. PostgreSQL delivers
-- NOTIFY only when the transaction commits (and not at all when it rolls back), so no instance
-- forgets a committed change and none drops an entry for a change that never happened.
--
-- Items: 'user:<id>'  a user's profile, claims, active flag, active workspace or memberships;
--        'key:<hex>'  an API key by the SHA-256 of its secret (revoked, expired, deleted).
-- The same items are appended to the transaction-local setting gatehouse.changed, so the instance
-- that commits can drop its own entries before it answers (its own NOTIFY arrives a moment later).
--
-- Triggers rather than application code: no write path, present or future, can forget to notify.

create function notify_cache_change() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    item text;
begin
    if tg_table_name = 'users' then
        item := 'user:' || coalesce(new.id, old.id)::text;
    elsif tg_table_name = 'workspace_members' then
        item := 'user:' || coalesce(new.user_id, old.user_id)::text;
    else
        item := 'key:' || pg_catalog.encode(coalesce(new.key_hash, old.key_hash), 'hex');
    end if;
    perform pg_catalog.pg_notify('gatehouse_cache', item);
    perform pg_catalog.set_config('gatehouse.changed',
        coalesce(pg_catalog.current_setting('gatehouse.changed', true), '') || item || ' ', true);
    return null;
end
$fn$;

-- A new user or key is not in any cache (nothing negative is cached): only changes and deletions.
create trigger users_notify_cache
    after update on users
    for each row when (old.* is distinct from new.*)
    execute function notify_cache_change();
create trigger users_notify_cache_delete
    after delete on users
    for each row execute function notify_cache_change();

-- Deleting a workspace cascades here, so its members hear of it too.
create trigger workspace_members_notify_cache
    after insert or update or delete on workspace_members
    for each row execute function notify_cache_change();

-- last_used_at (touched once a minute) and sealed_key (erased on reveal) change nothing cached.
create trigger api_keys_notify_cache
    after update of revoked_at, expires_at, user_id, workspace_id, key_hash on api_keys
    for each row execute function notify_cache_change();
create trigger api_keys_notify_cache_delete
    after delete on api_keys
    for each row execute function notify_cache_change();

-- Everything the caches hold about a caller, in one indexed read: the user by id or provider
-- subject, the profile /auth/me answers, the claims last seen, and every membership (oldest first).
create function load_caller(p_user_id uuid, p_auth0_id text, p_authentik_id text)
returns table (user_id uuid, email text, full_name text, avatar_url text, preferences text, is_active boolean,
               idp_email text, idp_email_verified boolean, idp_name text, active_workspace_id uuid,
               workspace_ids uuid[], roles text[])
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
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
    perform leave_definer(previous);
end
$fn$;

-- X-API-Key: the key by the SHA-256 of its secret while it is not revoked. Expiry and the user's
-- active flag are decided by the caller on every request, so a cached key needs no refresh for them.
create function load_api_key(p_key_hash bytea)
returns table (id uuid, user_id uuid, workspace_id uuid, expires_at timestamptz, last_used_at timestamptz)
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
begin
    return query
    select k.id, k.user_id, k.workspace_id, k.expires_at, k.last_used_at
    from public.api_keys k
    where k.key_hash = p_key_hash and k.revoked_at is null;
    perform leave_definer(previous);
end
$fn$;

revoke execute on function load_caller(uuid, text, text) from public;
revoke execute on function load_api_key(bytea) from public;
