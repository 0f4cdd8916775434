"""A designation as each side (and support) is shown it."""

from __future__ import annotations

from services.representation.designations import PERSON, DesignationView


def designation_body(view: DesignationView, side: str) -> dict:
    designation = view.designation
    other = "representative" if side == PERSON else "person"
    return {
        "id": designation.id,
        "origin": designation.origin,
        "active": view.active,
        "agencies": [
            {
                "agency": part.agency,
                "status": part.status,
                "recorded_at": part.recorded_at,
                "ended_at": part.ended_at,
                "ended_by": part.ended_by,
            }
            for part in designation.agencies
        ],
        "created_at": designation.created_at,
        "ended_at": designation.ended_at,
        "ended_by": designation.ended_by,
        other: {"first_name": view.other_first_name},
    }
