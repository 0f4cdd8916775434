"""The sandbox (``simulator/``) on its own: feeds, faults, generation, identity providers, the MPI, and that it
imports nothing of the hub."""
