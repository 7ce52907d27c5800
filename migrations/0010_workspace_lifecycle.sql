-- Workspace lifecycle (contract: "Workspace lifecycle and invitations"): invitations by email, and
-- deleting a workspace.
--
-- An invitation is pending while it is neither accepted, declined nor revoked and has not expired.
-- Owners and admins of its workspace see and manage it under row-level security; the invitee, who
-- is no member yet, reads, accepts and declines theirs only through definer functions
-- (migrations/functions/list_my_invitations.sql, accept_invitation.sql, decline_invitation.sql),
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

-- Owners and admins of the request's workspace. The caller's own membership row is visible to them
-- (members_select), and the scalar subquery has no outer reference, so it is evaluated once per
-- statement.
create policy invitations_managers on invitations for all
    using (in_definer() or (workspace_id = gatehouse_workspace_id()
                            and (select exists (select 1 from workspace_members m
                                                where m.workspace_id = gatehouse_workspace_id()
                                                  and m.user_id = gatehouse_user_id()
                                                  and m.role in ('owner', 'admin')))))
    with check (in_definer() or (workspace_id = gatehouse_workspace_id()
                                 and (select exists (select 1 from workspace_members m
                                                     where m.workspace_id = gatehouse_workspace_id()
                                                       and m.user_id = gatehouse_user_id()
                                                       and m.role in ('owner', 'admin')))));

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
