"""Benefits: the store, snapshot diffs, platform events, reconcile, view order, the benefits routes and the
sandbox stories, against a live sandbox where they need one."""
