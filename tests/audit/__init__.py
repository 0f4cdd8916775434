"""The audit log: the hash chain, its verification command and its append-only guard."""
