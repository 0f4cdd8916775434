"""``/v1/me/representatives`` and ``/v1/me/represented``: who acts for the resident, and whom they act for."""
