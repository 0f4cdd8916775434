"""Synthetic residents: the contract's personas, seeded generated residents, and how their cases unfold by day."""
