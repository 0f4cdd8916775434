"""Nudges: suggestions from the whole picture a resident shares (a renewal at risk, a program they may qualify for),
each with plain-language reasons and a next step. The rules are data (``rules.toml``), judged by ``rules.py``
on facts ``facts.py`` reads; ``store.py`` keeps what dismissing and dedupe need; ``pushes.py`` pushes the urgent."""
