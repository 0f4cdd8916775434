"""Sign-in: token exchange and refresh, PKCE, ID-token rejections, staff roles, signing keys, rate limits, and
the route-matrix cells of sign-out."""
