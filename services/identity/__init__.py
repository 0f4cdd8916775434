"""Identity: ID tokens, the hub's tokens and keys, app registrations, residents, sessions, links and consent."""
