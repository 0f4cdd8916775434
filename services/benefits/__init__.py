"""Benefits: snapshots per source, sync (pull, push, bulk), freshness, reads, reminders and what changes mean."""
