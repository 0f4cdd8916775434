"""HTTP by audience (resident/, admin/, platform/, operations/, auth/), schemas and auth rules; no business rules."""
