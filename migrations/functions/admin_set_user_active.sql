-- An admin disables or enables a user (PATCH /admin/users/{id}; the API checks ADMIN_PERMISSION and
-- refuses self-disabling before calling). The users policy lets a user update only their own row, so
-- this goes through a narrow SECURITY DEFINER function that can change nothing but is_active.
-- The users_notify_cache trigger (0005) fires on a real change only, so every instance drops the
-- user's cached row, and with it what their tokens and API keys resolve to.
create or replace function admin_set_user_active(p_user_id uuid, p_is_active boolean)
returns table (id uuid, email text, email_verified boolean, full_name text, is_active boolean,
               is_superuser boolean, created_at timestamptz)
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
#variable_conflict use_column
begin
    update public.users u set is_active = p_is_active, updated_at = pg_catalog.now()
    where u.id = p_user_id and u.is_active is distinct from p_is_active;
    -- No row: no such user.
    return query
    select u.id, u.email, u.email_verified, u.full_name, u.is_active, u.is_superuser, u.created_at
    from public.users u
    where u.id = p_user_id;
end
$fn$;

revoke execute on function admin_set_user_active(uuid, boolean) from public;
