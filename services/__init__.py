"""The domain: identity and sessions, linking and consent, benefits, sync, audit. Never imports api/ or Flask request objects."""
