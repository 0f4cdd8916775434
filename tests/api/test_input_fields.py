"""Guard: every string that reaches a route through its arguments is ``api.fields.Text`` (or ``JsonDocument``),
so an unpaired surrogate or a NUL is a 422 naming the field on every route, including routes still to come."""

from __future__ import annotations

import marshmallow as ma

from api.fields import JsonDocument, Text

# Fields that take text without being a String: they parse it themselves into another type, so a surrogate
# can only ever be "not a valid ..." (tests/api/test_bad_input.py shows it for a time).
PARSING_FIELDS = (
    ma.fields.Number,
    ma.fields.Boolean,
    ma.fields.DateTime,
    ma.fields.Date,
    ma.fields.Time,
    ma.fields.TimeDelta,
    ma.fields.UUID,
    ma.fields.Enum,
    ma.fields.Constant,
)


def argument_schemas(app) -> list[tuple[str, ma.Schema]]:
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        targets = (
            [getattr(view.view_class, m.lower()) for m in view.view_class.methods]
            if hasattr(view, "view_class")
            else [view]
        )
        for target in targets:
            for parameter in getattr(target, "_apidoc", {}).get("arguments", {}).get("parameters", []):
                schema = parameter["schema"]
                found.append((f"{rule.rule} ({parameter['in']})", schema() if isinstance(schema, type) else schema))
    return found


def unchecked_fields(schema: ma.Schema, where: str) -> list[str]:
    """Every loadable field under ``schema`` that takes text without the check, by dotted path."""
    problems, stack = [], [(f"{where}:{name}", field) for name, field in schema.load_fields.items()]
    while stack:
        path, field = stack.pop()
        if field.dump_only:
            continue
        if isinstance(field, ma.fields.Nested):
            nested = field.schema
            stack.extend((f"{path}.{name}", inner) for name, inner in nested.load_fields.items())
        elif isinstance(field, ma.fields.List):
            stack.append((f"{path}[]", field.inner))
        elif isinstance(field, ma.fields.Tuple):
            stack.extend((f"{path}[{i}]", inner) for i, inner in enumerate(field.tuple_fields))
        elif isinstance(field, ma.fields.Dict | ma.fields.Mapping):
            for part, inner in (("key", field.key_field), ("value", field.value_field)):
                if inner is None:
                    problems.append(f"{path} ({part}s are not declared)")
                else:
                    stack.append((f"{path}.<{part}>", inner))
        elif isinstance(field, (Text, JsonDocument, *PARSING_FIELDS)):
            continue
        else:
            problems.append(f"{path} is a {type(field).__name__}")
    return problems


def test_every_string_a_route_takes_is_checked_text(app):
    schemas = argument_schemas(app)
    assert len(schemas) >= 15  # the walk found the routes (token, devices, links, consents, preferences, events…)
    problems = [problem for where, schema in schemas for problem in unchecked_fields(schema, where)]
    assert problems == [], "use api.fields.Text (or JsonDocument) for input: " + "; ".join(problems)


def test_the_guard_sees_a_plain_string_an_email_and_a_raw_field():
    class Careless(ma.Schema):
        name = ma.fields.String()
        email = ma.fields.Email()
        nested = ma.fields.List(ma.fields.Nested(ma.Schema.from_dict({"url": ma.fields.Url()})))
        blob = ma.fields.Raw()
        tags = ma.fields.Dict(keys=ma.fields.String(), values=Text())
        fine = Text()

    found = unchecked_fields(Careless(), "x")
    assert sorted(found) == sorted(
        [
            "x:name is a String",
            "x:email is a Email",
            "x:nested[].url is a Url",
            "x:blob is a Raw",
            "x:tags.<key> is a String",
        ]
    )
