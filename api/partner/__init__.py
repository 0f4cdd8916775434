"""The partner API: agency systems and agency app back ends, authenticated by partner access tokens."""
