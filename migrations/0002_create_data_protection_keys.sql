-- ASP.NET Core Data Protection key ring, shared by every API instance (it seals the default API key
-- until its one reveal). Not tenant data: no workspace column, no row-level security.
create table data_protection_keys (
    friendly_name text primary key check (char_length(friendly_name) between 1 and 200),
    xml           text not null,
    created_at    timestamptz not null default now()
);
