"""The sandbox: a simulated unified data platform and identity providers for development; never runs in production."""
