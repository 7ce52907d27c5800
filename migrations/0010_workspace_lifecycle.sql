-- Workspace lifecycle (contract: "Workspace lifecycle and invitations"): invitations by email, and
-- deleting a workspace.
--
-- An invitation is pending while it is neither accepted, declined nor revoked and has not expired.
-- Owners and admins of its workspace see and manage it under row-level security; the invitee, who
-- is no member yet, reads, accepts and declines theirs only through the definer functions below,
-- keyed by the request's user and that user's verified email.

create table invitations (
    id           uuid primary key default gen_random_uuid(),
    workspace_id uuid not null references workspaces (id) on delete cascade,
    email        text not null check (char_length(email) between 3 and 320),
    role         text not null check (role in ('admin', 'member')),
    invited_by   uuid references users (id) on delete set null,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null,
    accepted_at  timestamptz,
    accepted_by  uuid references users (id) on delete set null,
    declined_at  timestamptz,
    revoked_at   timestamptz,
    check (expires_at > created_at),
    check (num_nonnulls(accepted_at, declined_at, revoked_at) <= 1)
);

-- One open invitation per address and workspace (an expired one is deleted when a new one is made:
-- the audit trail keeps its history). Also serves the managers' listing.
create unique index invitations_open_email_idx on invitations (workspace_id, lower(email))
    where accepted_at is null and declined_at is null and revoked_at is null;
-- The invitee's listing: their address across workspaces.
create index invitations_open_invitee_idx on invitations (lower(email))
    where accepted_at is null and declined_at is null and revoked_at is null;

alter table invitations enable row level security;
alter table invitations force row level security;

-- Owners and admins of the request's workspace (is_workspace_manager: migrations/0009); a scalar
-- subquery without outer references, so it is evaluated once per statement.
create policy invitations_managers on invitations for all
    using (in_definer() or (workspace_id = gatehouse_workspace_id()
                            and (select is_workspace_manager(gatehouse_workspace_id()))))
    with check (in_definer() or (workspace_id = gatehouse_workspace_id()
                                 and (select is_workspace_manager(gatehouse_workspace_id()))));

-- DELETE /workspaces/{id}: an owner deletes the request's workspace. Memberships, invitations and API
-- keys go by cascade (foreign-key actions run as the table owner, past row-level security); their
-- row triggers fire, so clear_active_workspace and the cache notifications (0005) follow, and
-- users.active_workspace_id is set null by its own foreign key.
drop policy workspaces_delete on workspaces;
create policy workspaces_delete on workspaces for delete
    using (in_definer() or (workspaces.id = gatehouse_workspace_id()
                            and exists (select 1 from workspace_members m
                                        where m.workspace_id = workspaces.id and m.user_id = gatehouse_user_id()
                                          and m.role = 'owner')));

-- The functions. Their final form is one file each under migrations/functions/ (with a function-level
-- SET of gatehouse.definer, once the migrator applies that folder); until then they run here with the
-- enter_definer/leave_definer bracket of 0003, the same bodies otherwise.

-- GET /auth/invitations: the caller's pending, unexpired invitations, matched case-insensitively
-- against the caller's own address and only while it is verified. Keyed by the request's user
-- (gatehouse.user_id), never by an address the client names: the invitee is no member yet, so
-- row-level security would show them nothing.
create or replace function list_my_invitations()
returns table (id uuid, workspace_id uuid, workspace_name text, role text, invited_by_name text, expires_at timestamptz)
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
begin
    return query
    select i.id, i.workspace_id, w.name, i.role, inviter.full_name, i.expires_at
    from public.users u
    join public.invitations i on pg_catalog.lower(i.email) = pg_catalog.lower(u.email)
    join public.workspaces w on w.id = i.workspace_id
    left join public.users inviter on inviter.id = i.invited_by
    where u.id = gatehouse_user_id() and u.email_verified and u.is_active
      and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
      and i.expires_at > pg_catalog.now()
    order by i.created_at, i.id;
    perform leave_definer(previous);
end
$fn$;

revoke execute on function list_my_invitations() from public;

-- POST /auth/invitations/{id}/accept, race-free: the update claims the invitation only while it is
-- still pending, unexpired and addressed to the caller's verified email; a concurrent accept waits on
-- the row lock, re-reads it as accepted and claims nothing. The membership goes in with the claim
-- (same transaction). A caller who is already a member keeps their role: roles change only through
-- ChangeMemberRole. No row back: not theirs, expired, used or unknown.
create or replace function accept_invitation(p_invitation_id uuid)
returns table (workspace_id uuid, name text, role text, invited_role text, already_member boolean)
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
as $fn$
#variable_conflict use_column
declare
    previous text := enter_definer();
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
        perform leave_definer(previous);
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
    perform leave_definer(previous);
end
$fn$;

revoke execute on function accept_invitation(uuid) from public;

-- POST /auth/invitations/{id}/decline: the same conditions as accepting; returns the invitation's
-- workspace, or null when it is not the caller's pending, unexpired invitation.
create or replace function decline_invitation(p_invitation_id uuid) returns uuid
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
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
    perform leave_definer(previous);
    return v_workspace;
end
$fn$;

revoke execute on function decline_invitation(uuid) from public;
