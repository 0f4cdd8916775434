"""Response schemas of the health probes."""

import marshmallow as ma


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True)


class CheckSchema(ma.Schema):
    name = ma.fields.String(required=True)
    ok = ma.fields.Boolean(required=True)
    detail = ma.fields.String(allow_none=True)
    elapsed_ms = ma.fields.Float()


class ReadinessSchema(ma.Schema):
    status = ma.fields.String(required=True)
    checks = ma.fields.List(ma.fields.Nested(CheckSchema))
