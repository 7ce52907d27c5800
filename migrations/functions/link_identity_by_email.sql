-- Links a provider identity to the one existing user whose address is verified on both sides and
-- whose slot for that provider is free; returns that user, or null (no candidate, or two: a guess).
-- The system-mode user is never a candidate: a token bearing its email gets a user of its own.
create or replace function link_identity_by_email(p_provider text, p_subject text, p_email text, p_email_verified boolean, p_name text)
returns uuid
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
declare
    candidates uuid[];
    linked uuid;
begin
    if p_email_verified and p_email is not null and p_provider in ('auth0', 'authentik') then
        select pg_catalog.array_agg(c.id) into candidates from (
            select u.id from users u
            where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.email_verified and not u.is_system_user
              and case when p_provider = 'auth0' then u.auth0_id is null else u.authentik_user_id is null end
            order by u.created_at
            limit 2) c;
        if coalesce(pg_catalog.array_length(candidates, 1), 0) = 1 then
            update users set
                auth0_id          = case when p_provider = 'auth0' then p_subject else auth0_id end,
                authentik_user_id = case when p_provider = 'authentik' then p_subject else authentik_user_id end,
                idp_email = p_email, idp_email_verified = p_email_verified, idp_name = coalesce(p_name, idp_name),
                updated_at = pg_catalog.now()
            where id = candidates[1] and not is_system_user
              and case when p_provider = 'auth0' then auth0_id is null else authentik_user_id is null end
            returning id into linked;
        end if;
    end if;
    return linked;
end
$fn$;

revoke execute on function link_identity_by_email(text, text, text, boolean, text) from public;
