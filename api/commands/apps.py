"""``flask apps …``: app registrations. Each kind of app adds its commands from its own module
(``api/commands/partner_apps.py`` adds ``add-partner``)."""

from __future__ import annotations

from flask.cli import AppGroup

apps = AppGroup("apps", help="App registrations: resident apps, the support console, partner apps.")
