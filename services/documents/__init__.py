"""Documents residents send for agency requests: content checks, encrypted storage, receipts, forwarding, decisions."""
