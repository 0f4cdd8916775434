"""Tests for the catalogue of resident-facing text: completeness of every shipped language, formats, a new language."""
