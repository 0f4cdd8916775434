"""Tests of operating the hub: make stack."""
