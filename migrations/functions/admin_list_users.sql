-- The admin listing (the API checks ADMIN_PERMISSION before calling): keyset pagination on the id.
create or replace function admin_list_users(p_after uuid, p_limit integer)
returns table (id uuid, email text, email_verified boolean, full_name text, is_active boolean,
               is_superuser boolean, created_at timestamptz)
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
#variable_conflict use_column
begin
    return query
    select u.id, u.email, u.email_verified, u.full_name, u.is_active, u.is_superuser, u.created_at
    from users u
    where p_after is null or u.id > p_after
    order by u.id
    limit least(greatest(p_limit, 1), 101);
end
$fn$;

revoke execute on function admin_list_users(uuid, integer) from public;
