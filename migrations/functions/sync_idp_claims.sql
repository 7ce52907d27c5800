-- Claims that were absent say nothing; only a claim that differs from the one last seen is written,
-- and the editable profile follows only the field the provider changed.
create or replace function sync_idp_claims(p_user_id uuid, p_email text, p_email_verified boolean, p_name text) returns void
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
begin
    update users set
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
           or (p_name is not null and idp_name is distinct from p_name));
end
$fn$;

revoke execute on function sync_idp_claims(uuid, text, boolean, text) from public;
