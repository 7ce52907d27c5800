-- Claims that were absent say nothing; only a claim that differs from the one last seen is written,
-- and the editable profile follows only the field the provider changed. When the profile changed,
-- user.profile_updated names the fields (not their values).
create or replace function sync_idp_claims(p_user_id uuid, p_email text, p_email_verified boolean, p_name text,
                                p_provider text, p_ip inet, p_user_agent text, p_request_id text)
returns void
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    old_row public.users%rowtype;
    new_row public.users%rowtype;
    fields text[] := '{}';
begin
    select * into old_row from public.users where id = p_user_id for update;
    update public.users set
        idp_email          = coalesce(p_email, idp_email),
        idp_email_verified = case when p_email is null then idp_email_verified else p_email_verified end,
        idp_name           = coalesce(p_name, idp_name),
        email              = case when p_email is not null and idp_email is distinct from p_email then p_email else email end,
        email_verified     = case when p_email is not null
                                   and (idp_email is distinct from p_email or idp_email_verified is distinct from p_email_verified)
                                  then p_email_verified else email_verified end,
        full_name          = case when p_name is not null and idp_name is distinct from p_name then p_name else full_name end,
        updated_at         = pg_catalog.now()
    where id = p_user_id
      and ((p_email is not null and (idp_email is distinct from p_email or idp_email_verified is distinct from p_email_verified))
           or (p_name is not null and idp_name is distinct from p_name))
    returning * into new_row;
    if new_row.id is not null then
        if new_row.email is distinct from old_row.email then fields := fields || 'email'::text; end if;
        if new_row.email_verified is distinct from old_row.email_verified then fields := fields || 'email_verified'::text; end if;
        if new_row.full_name is distinct from old_row.full_name then fields := fields || 'full_name'::text; end if;
    end if;
    if pg_catalog.cardinality(fields) > 0 then
        insert into public.audit_events (action, actor_user_id, actor_method, target_type, target_id,
                                         ip, user_agent, request_id, details)
        values ('user.profile_updated', p_user_id, p_provider, 'user', p_user_id::text, p_ip, p_user_agent, p_request_id,
                pg_catalog.jsonb_build_object('fields', pg_catalog.to_jsonb(fields), 'source', 'identity_provider'));
    end if;
    perform leave_definer(previous);
end
$fn$;
