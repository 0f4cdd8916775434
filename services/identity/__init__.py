"""Identity: ID-token verification, the hub's own tokens and keys, residents, sessions, linking and consent."""

from services.components import register_home

for _name in ("field_cipher", "lookup_hasher", "signing_keys", "resident_idp", "staff_idp", "person_index"):
    register_home(_name, "services.identity.components")
register_home("app_registry", "services.identity.app_registry")
