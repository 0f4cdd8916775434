"""The API's app factory: a hub in, a configured Flask app out. The composition root (``composition.create_app``)
builds the hub and calls it, for wsgi.py, ``flask --app composition:create_app`` and the tests."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.routing import Map

from api import current_hub, database, problems, request_context, request_guards, response_headers
from api.extension import create_api
from api.json_bodies import HubJSONProvider, HubRequest
from api.operations.docs.routes import bp as docs_bp
from api.operations.metrics import routes as metrics
from config import INSTANCE_DIR, Settings
from services.hub import Hub

log = logging.getLogger("hub.app")


def _api_blueprints() -> list:
    """Every flask-smorest blueprint of the hub, in one list."""
    from api.admin.actions import blp as admin_actions
    from api.admin.audit_log import blp as admin_audit
    from api.admin.designations import blp as admin_designations
    from api.admin.documents import blp as admin_documents
    from api.admin.partner_apps import blp as admin_partner_apps
    from api.admin.residents import blp as admin_residents
    from api.auth.routes import blp as auth
    from api.auth.routes import sign_in_blp, well_known_blp
    from api.operations.health.routes import blp as health
    from api.partner.routes import blp as partner
    from api.platform.routes import blp as platform_events
    from api.resident.access_log.routes import blp as access_log
    from api.resident.acting_for.paperwork import blp as acting_for_paperwork
    from api.resident.acting_for.reads import blp as acting_for_reads
    from api.resident.appointments.routes import blp as appointments
    from api.resident.benefits.routes import blp as benefits
    from api.resident.consents.routes import blp as consents
    from api.resident.devices.routes import blp as devices
    from api.resident.documents.routes import blp as documents
    from api.resident.links.routes import blp as links
    from api.resident.notifications.routes import blp as notifications
    from api.resident.nudges.routes import blp as nudges
    from api.resident.profile.routes import blp as me
    from api.resident.representatives.routes import blp as representatives
    from api.resident.sessions.routes import blp as sessions

    resident = [me, sessions, consents, links, benefits, access_log, devices, notifications, documents, appointments]
    resident.append(representatives)
    resident += [acting_for_reads, acting_for_paperwork]
    resident.append(nudges)
    admin = [admin_residents, admin_actions, admin_audit, admin_partner_apps, admin_documents]
    admin.append(admin_designations)
    return [health, platform_events, sign_in_blp, auth, well_known_blp, *resident, partner, *admin]


def _cli_groups() -> list:
    """Every ``flask <group>`` command group; each lives beside the domain it serves."""
    from api.commands import partner_apps  # noqa: F401  (adds ``apps add-partner``)
    from api.commands.apps import apps
    from api.commands.audit import audit
    from api.commands.identity import identity
    from api.commands.keys import keys
    from api.commands.outbox import outbox
    from api.commands.sandbox import sandbox
    from api.commands.settings import settings_group
    from api.commands.sync import sync
    from api.commands.views import views

    return [sandbox, audit, identity, keys, apps, outbox, settings_group, sync, views]


class HubMap(Map):
    """Routing that never redirects: Werkzeug's slash merging (``/v1//me`` → 308 to ``/v1/me``), its
    strict-slashes redirect and its redirect to a rule's defaults each built a ``Location`` from the request's
    Host header. A path that is not exactly a route is a 404."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.update(merge_slashes=False, strict_slashes=False, redirect_defaults=False)
        super().__init__(*args, **kwargs)


class HubFlask(Flask):
    url_map_class = HubMap
    request_class = HubRequest
    json_provider_class = HubJSONProvider


def create_app(hub: Hub, *, reuse_document: bool = True) -> Flask:
    """The hub's HTTP API over ``hub`` (its settings decide limits, hosts and logging). ``reuse_document``: take
    this process's description of the same configuration if there is one (``Api.register_all``)."""
    settings = hub.settings
    request_context.configure_logging(settings.log_level)
    app = HubFlask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_content_length,
        JSON_SORT_KEYS=False,
        TRUSTED_HOSTS=list(settings.hosts_served),  # any other Host header is a 400 problem
    )
    current_hub.install(app, hub)

    _trust_proxies(app, settings)
    metrics.register(app)  # first: every request is timed, even one an earlier hook refuses
    request_context.register(app)
    request_guards.register(app)
    response_headers.register(app)
    database.register(app)
    create_api(app, settings).register_all(_api_blueprints(), reuse_document=reuse_document)
    app.register_blueprint(docs_bp)
    _limit_sign_in(app, settings)
    problems.register(app)
    for group in _cli_groups():
        app.cli.add_command(group)
    return app


def _limit_sign_in(app: Flask, settings: Settings) -> None:
    from api.auth.rate_limits import register
    from api.auth.routes import sign_in_blp

    register(app, settings, sign_in_blp)


def _trust_proxies(app: Flask, settings: Settings) -> None:
    """Behind ``TRUSTED_PROXIES`` proxies, take the client's address and scheme from their ``X-Forwarded-*``
    headers (the per-address rate limits must see the client, not the load balancer). Off by default: a
    header anyone can send is believed only from hops the operator says are there."""
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies)
