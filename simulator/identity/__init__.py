"""The sandbox OpenID Connect providers: residents (login.gov-like, PKCE, pairwise sub) and workforce staff."""
