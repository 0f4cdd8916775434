"""Nudges: ``/v1/me/nudges`` (what the hub suggests, and why), dismissing one, and the per-kind opt-out."""
