-- Functions nothing calls any more, dropped so that a reader of the schema (and the runtime role's
-- grants) meets only what the API uses:
--   find_caller, authenticate_api_key  superseded by load_caller and load_api_key (0005);
--   enter_definer, leave_definer       the bracket that function-level `set gatehouse.definer = 'on'` replaced.
-- No function left calls them (0006's admin_set_user_active was redefined in migrations/functions/).
drop function if exists find_caller(uuid, text, text, uuid);
drop function if exists authenticate_api_key(bytea);
drop function if exists leave_definer(text);
drop function if exists enter_definer();
