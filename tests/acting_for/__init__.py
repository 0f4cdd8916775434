"""A representative acting for the person: reads, paperwork, copies of notices, the person's access log."""
