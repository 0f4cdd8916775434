"""Sign-in and authentication: the token endpoint, logout, the hub's JWKS, and the checks behind every auth rule."""
