"""Where each lazily built collaborator of ``HubContext`` comes from, by name.

Packages register a builder with ``@component("name")``; ``HubContext.component(name)`` builds it once.
Keeping the map here means the context never imports notifications/ or the platform client eagerly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

_BUILDERS: dict[str, Callable[[Any], Any]] = {}

# name -> module that registers it (imported on first use)
_HOMES: dict[str, str] = {}


def component(name: str, home: str | None = None):
    def decorator(builder: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _BUILDERS[name] = builder
        return builder

    if home:
        _HOMES[name] = home
    return decorator


def register_home(name: str, module: str) -> None:
    _HOMES[name] = module


def build_component(name: str, context: Any) -> Any:
    if name not in _BUILDERS and name in _HOMES:
        importlib.import_module(_HOMES[name])
    try:
        builder = _BUILDERS[name]
    except KeyError:
        raise LookupError(f"no component named {name!r}") from None
    return builder(context)
