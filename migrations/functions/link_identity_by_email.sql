-- Links a provider identity to the one existing user whose address is verified on both sides and
-- whose slot for that provider is free, and records user.linked; returns that user, or null (no
-- candidate, or two: a guess). The system-mode user is never a candidate.
create or replace function link_identity_by_email(p_provider text, p_subject text, p_email text, p_email_verified boolean, p_name text,
                                       p_ip inet, p_user_agent text, p_request_id text)
returns uuid
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    candidates uuid[];
    linked uuid;
begin
    if p_email_verified and p_email is not null and p_provider in ('auth0', 'authentik') then
        select pg_catalog.array_agg(c.id) into candidates from (
            select u.id from public.users u
            where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.email_verified and not u.is_system_user
              and case when p_provider = 'auth0' then u.auth0_id is null else u.authentik_user_id is null end
            order by u.created_at
            limit 2) c;
        if coalesce(pg_catalog.array_length(candidates, 1), 0) = 1 then
            update public.users set
                auth0_id          = case when p_provider = 'auth0' then p_subject else auth0_id end,
                authentik_user_id = case when p_provider = 'authentik' then p_subject else authentik_user_id end,
                idp_email = p_email, idp_email_verified = p_email_verified, idp_name = coalesce(p_name, idp_name),
                updated_at = pg_catalog.now()
            where id = candidates[1] and not is_system_user
              and case when p_provider = 'auth0' then auth0_id is null else authentik_user_id is null end
            returning id into linked;
        end if;
    end if;
    if linked is not null then
        -- The subject identifies the identity that joined the account; it is not a secret.
        insert into public.audit_events (action, actor_user_id, actor_method, target_type, target_id,
                                         ip, user_agent, request_id, details)
        values ('user.linked', linked, p_provider, 'user', linked::text, p_ip, p_user_agent, p_request_id,
                pg_catalog.jsonb_build_object('provider', p_provider, 'subject', p_subject));
    end if;
    perform leave_definer(previous);
    return linked;
end
$fn$;
