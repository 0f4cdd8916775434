"""Identity: ID-token verification, the hub's own tokens and keys, app registrations, residents, sessions, linking
and consent."""
