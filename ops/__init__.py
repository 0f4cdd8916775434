"""Operating the hub: ``make stack``, the production topology on one machine (``python -m ops.stack``)."""
