"""Benefits: snapshot storage per resident and source, sync with the platform (pull, pushed events, bulk), freshness,
reads, and the outbox events a change or a due reminder means."""
