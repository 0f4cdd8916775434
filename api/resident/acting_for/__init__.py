"""``/v1/me/represented/{id}/…``: what an authorized representative may see and do for the person they act for."""
