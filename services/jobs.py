"""Imports every module that registers background jobs, so a worker knows them all by name."""
