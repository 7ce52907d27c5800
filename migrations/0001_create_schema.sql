-- Users, workspaces, memberships and API keys: the schema of the v1 contract.
-- Limits live here as CHECK constraints so that no client of the database can bypass them.

create table users (
    id                  uuid primary key default gen_random_uuid(),
    email               text check (char_length(email) <= 320),
    email_verified      boolean not null default false,
    full_name           text check (char_length(full_name) <= 200),
    avatar_url          text check (char_length(avatar_url) <= 2048),
    preferences         jsonb not null default '{}'::jsonb check (jsonb_typeof(preferences) = 'object'),
    auth0_id            text unique check (char_length(auth0_id) between 1 and 255),
    authentik_user_id   text unique check (char_length(authentik_user_id) between 1 and 255),
    -- What the identity provider said last; kept apart from the editable profile above so that a
    -- name changed through the API survives until the provider itself changes it.
    idp_email           text check (char_length(idp_email) <= 320),
    idp_email_verified  boolean,
    idp_name            text check (char_length(idp_name) <= 200),
    is_active           boolean not null default true,
    is_superuser        boolean not null default false,
    active_workspace_id uuid,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);

-- Email is not unique; linking by email looks users up case-insensitively.
create index users_email_lower_idx on users (lower(email));

create table workspaces (
    id         uuid primary key default gen_random_uuid(),
    name       text not null check (char_length(name) between 1 and 100),
    created_by uuid references users (id) on delete set null,
    created_at timestamptz not null default now()
);

alter table users
    add constraint users_active_workspace_fk
    foreign key (active_workspace_id) references workspaces (id) on delete set null;

create table workspace_members (
    workspace_id uuid not null references workspaces (id) on delete cascade,
    user_id      uuid not null references users (id) on delete cascade,
    role         text not null check (role in ('owner', 'admin', 'member')),
    created_at   timestamptz not null default now(),
    primary key (workspace_id, user_id)
);

-- Serves "the caller's memberships" and "the oldest membership" in one index.
create index workspace_members_user_idx on workspace_members (user_id, created_at);

create table api_keys (
    id           uuid primary key default gen_random_uuid(),
    workspace_id uuid not null references workspaces (id) on delete cascade,
    user_id      uuid not null references users (id) on delete cascade,
    name         text not null check (char_length(name) between 1 and 100),
    prefix       text not null check (char_length(prefix) between 4 and 32),
    key_hash     bytea not null unique check (octet_length(key_hash) = 32),
    -- The default key's secret, sealed with ASP.NET Core Data Protection until it is revealed once.
    sealed_key   text,
    is_default   boolean not null default false,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    check (expires_at is null or expires_at > created_at)
);

create index api_keys_user_idx on api_keys (user_id, workspace_id);

-- The last owner of a workspace can be neither demoted nor removed. Enforced here, under a lock on
-- the workspace row, so that two concurrent demotions cannot both see "another owner remains".
create function enforce_last_owner() returns trigger
language plpgsql as $fn$
begin
    if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner') then
        return coalesce(new, old);
    end if;
    -- A cascade from a deleted workspace finds no row to lock, and needs no owner.
    perform 1 from workspaces where id = old.workspace_id for update;
    if not found then
        return coalesce(new, old);
    end if;
    if not exists (select 1 from workspace_members
                   where workspace_id = old.workspace_id and role = 'owner' and user_id <> old.user_id) then
        raise exception 'a workspace needs at least one owner'
            using errcode = 'GH409', constraint = 'workspace_last_owner';
    end if;
    return coalesce(new, old);
end
$fn$;

create trigger workspace_members_last_owner
    before update of role or delete on workspace_members
    for each row execute function enforce_last_owner();
