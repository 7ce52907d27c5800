-- POST /auth/invitations/{id}/decline: the same conditions as accepting; returns the invitation's
-- workspace, or null when it is not the caller's pending, unexpired invitation.
create or replace function decline_invitation(p_invitation_id uuid) returns uuid
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
declare
    v_workspace uuid;
begin
    update public.invitations i set declined_at = pg_catalog.now()
    from public.users u
    where i.id = p_invitation_id
      and u.id = gatehouse_user_id() and u.email_verified and u.is_active
      and pg_catalog.lower(i.email) = pg_catalog.lower(u.email)
      and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
      and i.expires_at > pg_catalog.now()
    returning i.workspace_id into v_workspace;
    return v_workspace;
end
$fn$;

revoke execute on function decline_invitation(uuid) from public;
