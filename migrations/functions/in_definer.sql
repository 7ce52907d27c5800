-- True inside a SECURITY DEFINER body of this schema: each declares `set gatehouse.definer = 'on'`,
-- which PostgreSQL restores when the function exits, normally or by an error. The setting counts
-- only for the owner role (named when this script runs, as the owner): any role may set it, but
-- only a definer function runs as the owner, so the runtime role cannot make it a bypass.
do $$
begin
    execute pg_catalog.format($f$
        create or replace function in_definer() returns boolean
        language sql volatile set search_path = pg_catalog, public, pg_temp
        as $b$ select current_user = %L and pg_catalog.current_setting('gatehouse.definer', true) = 'on' $b$
    $f$, current_user);
end
$$;
