-- POST /auth/invitations/{id}/accept, race-free: the update claims the invitation only while it is
-- still pending, unexpired and addressed to the caller's verified email; a concurrent accept waits on
-- the row lock, re-reads it as accepted and claims nothing. The membership goes in with the claim
-- (same transaction). A caller who is already a member keeps their role: roles change only through
-- ChangeMemberRole. No row back: not theirs, expired, used or unknown.
create or replace function accept_invitation(p_invitation_id uuid)
returns table (workspace_id uuid, name text, role text, invited_role text, already_member boolean)
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
#variable_conflict use_column
declare
    v_workspace uuid;
    v_role text;
    v_added boolean;
begin
    update public.invitations i set accepted_at = pg_catalog.now(), accepted_by = u.id
    from public.users u
    where i.id = p_invitation_id
      and u.id = gatehouse_user_id() and u.email_verified and u.is_active
      and pg_catalog.lower(i.email) = pg_catalog.lower(u.email)
      and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
      and i.expires_at > pg_catalog.now()
    returning i.workspace_id, i.role into v_workspace, v_role;
    if v_workspace is null then
        return;
    end if;

    insert into public.workspace_members (workspace_id, user_id, role)
    values (v_workspace, gatehouse_user_id(), v_role)
    on conflict do nothing;
    v_added := found;

    return query
    select w.id, w.name, m.role, v_role, not v_added
    from public.workspaces w
    join public.workspace_members m on m.workspace_id = w.id and m.user_id = gatehouse_user_id()
    where w.id = v_workspace;
end
$fn$;

revoke execute on function accept_invitation(uuid) from public;
