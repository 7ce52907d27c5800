-- The request's user, set per transaction by Db.BeginAsync; NULL and '' (a setting that ended) both mean none.
create or replace function gatehouse_user_id() returns uuid
language sql stable set search_path = pg_catalog, public, pg_temp
as $$ select nullif(pg_catalog.current_setting('gatehouse.user_id', true), '')::pg_catalog.uuid $$;
