"""The hub's tests, mirroring the packages; they go through HTTP and real database sessions."""
