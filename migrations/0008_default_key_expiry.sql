-- Secrets at rest (issue #15).
--
-- 1. The default API key made at first login expires DEFAULT_API_KEY_TTL_DAYS after it was made.
--    provision_user takes that lifetime from the API (a new parameter, so a new signature: the old
--    one is dropped rather than left callable beside it). expires_at is computed from the same
--    now() as created_at, so it is exactly created_at + TTL.
drop function provision_user(uuid, text, boolean, text, text, text, uuid, text, text, text, bytea, text);

-- The new provision_user is migrations/functions/provision_user.sql (re-created after the run-once
-- scripts); dropping the old signature here keeps it from staying callable beside the new one.

-- 2. Default keys made before this migration never expired. The contract says a default key
--    expires TTL after it was made, so they get created_at + the default TTL (90 days): one older
--    than that is refused from now on (its user gets a fresh key by creating one). A deployment
--    with another DEFAULT_API_KEY_TTL_DAYS can adjust these rows once with the same update.
update public.api_keys
set expires_at = created_at + interval '90 days'
where is_default and expires_at is null;

-- 3. The runtime role's grants on data_protection_keys are narrowed by the migrator
--    (Migrator.GrantRuntimeRole): Data Protection only reads and appends keys, so it gets select
--    and insert there, never update, delete or truncate.
