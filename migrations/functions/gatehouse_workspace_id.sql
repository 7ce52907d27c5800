-- The request's workspace (membership already checked), set per transaction by Db.BeginAsync.
create or replace function gatehouse_workspace_id() returns uuid
language sql stable set search_path = pg_catalog, public, pg_temp
as $$ select nullif(pg_catalog.current_setting('gatehouse.workspace_id', true), '')::pg_catalog.uuid $$;
