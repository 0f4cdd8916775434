"""HTTP face of the simulated platform: the MPI, the agency feeds, the change feeds and the sandbox controls."""
