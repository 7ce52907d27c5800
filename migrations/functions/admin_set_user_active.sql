create or replace function admin_set_user_active(p_user_id uuid, p_is_active boolean)
returns table (id uuid, email text, email_verified boolean, full_name text, is_active boolean,
               is_superuser boolean, created_at timestamptz, changed boolean)
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
    did_change boolean;
begin
    update public.users u set is_active = p_is_active, updated_at = pg_catalog.now()
    where u.id = p_user_id and u.is_active is distinct from p_is_active;
    did_change := found;
    -- No row: no such user.
    return query
    select u.id, u.email, u.email_verified, u.full_name, u.is_active, u.is_superuser, u.created_at, did_change
    from public.users u
    where u.id = p_user_id;
    perform leave_definer(previous);
end
$fn$;
