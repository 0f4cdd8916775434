"""``flask <group>`` command groups, one module per domain they serve."""
