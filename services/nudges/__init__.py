"""Nudges: suggestions from the whole picture a resident shares, each with its reasons and a next step.

The rules are data (``rules.toml``), judged by ``rules.py`` on the facts ``facts.py`` reads; ``store.py`` keeps
only what dismissing and dedupe need; ``pushes.py`` pushes the urgent ones; ``texts.py`` words them.
"""
