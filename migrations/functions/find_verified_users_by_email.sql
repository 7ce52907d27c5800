-- AddMember: only a verified address identifies a person; at most two ids come back (two: ambiguous).
create or replace function find_verified_users_by_email(p_email text) returns setof uuid
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
begin
    return query
    select u.id from users u
    where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.email_verified and u.is_active
    order by u.created_at
    limit 2;
end
$fn$;

revoke execute on function find_verified_users_by_email(text) from public;
