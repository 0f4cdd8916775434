"""Benefits: snapshot storage per resident and source, sync with the platform, freshness, reads, outbox events."""
