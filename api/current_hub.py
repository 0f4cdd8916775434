"""The process's hub as the API reaches it: ``current_hub()`` in a request or command, typed, so "go to
definition" works from every route. ``api.app.create_app`` installs it; nothing else does."""

from __future__ import annotations

from flask import Flask, current_app

from services.hub import Hub

_EXTENSION = "hub"


def install(app: Flask, hub: Hub) -> None:
    app.extensions[_EXTENSION] = hub


def hub_of(app: Flask) -> Hub:
    return app.extensions[_EXTENSION]


def current_hub() -> Hub:
    """The hub of the app handling this request (or running this ``flask`` command)."""
    return hub_of(current_app)
