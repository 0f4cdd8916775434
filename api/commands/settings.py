"""``flask settings show``: the settings this process runs with, and where each came from.

The answer to "which database and which sandbox does this ``flask`` command reach?": every setting, its value
(secrets never shown: only whether they are the development value; passwords in URLs masked) and its source:
the environment, a ``.env`` file (its path), or the default.
"""

from __future__ import annotations

import dataclasses
import re

import click
from flask.cli import AppGroup

from api.current_hub import current_hub
from config import DEV_EVENTS_SECRET, DEV_FIELD_KEY, DEV_LOOKUP_KEY, DEV_PLATFORM_KEY, SECRET_FIELDS, read_sources

settings_group = AppGroup("settings", help="The hub's settings (README, Configuration).")

_DEVELOPMENT_VALUES = {DEV_PLATFORM_KEY, DEV_EVENTS_SECRET, DEV_LOOKUP_KEY, DEV_FIELD_KEY}
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@/\s]+@")


def shown(name: str, value: object) -> str:
    """A setting as it may be printed: secrets as whether they are set, URL passwords masked."""
    if name in SECRET_FIELDS:
        values = value if isinstance(value, tuple) else (value,)
        return "(development value)" if any(v in _DEVELOPMENT_VALUES for v in values) else "(set, hidden)"
    if isinstance(value, tuple):
        value = ",".join(value)
    return _URL_PASSWORD.sub(r"\1***@", str(value))


@settings_group.command("show")
def show() -> None:
    """Every setting: value and source."""
    settings = current_hub().settings
    sources = read_sources()
    rows = []
    for field in dataclasses.fields(settings):
        name = field.name.upper()
        source = sources[name].origin if name in sources else "default"
        rows.append((name, shown(field.name, getattr(settings, field.name)), source))
    width = max(len(name) for name, _, _ in rows)
    for name, value, source in rows:
        click.echo(f"{name:<{width}}  {value}  [{source}]")
