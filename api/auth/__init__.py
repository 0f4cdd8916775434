"""Sign-in and tokens: the token endpoint, logout, the hub's JWKS, and the checks behind every auth rule."""
