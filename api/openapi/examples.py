"""Realistic examples for the document, taken from the sandbox personas (maria's SNAP, WIC and Medicaid; sophie
looking her up with a reason), by operationId: ``request`` is the body, a status its answer. Captured from the
sandbox and trimmed; ``tests/api/test_openapi_document.py`` validates every one against its schema, so an example
cannot drift from what the hub sends."""

from __future__ import annotations

EXAMPLES: dict[str, dict] = {
    "getMe": {
        "200": {
            "email": "maria.lopez@example.com",
            "id": "98622b05da9c4509a223c2fcb8bcb323",
            "identity_verification": {
                "message": "Your identity is verified. The app can show your case information from the agencies.",
                "next_step": None,
                "status": "verified",
            },
            "identity_verified": True,
            "links": [
                {
                    "agency": "DHS",
                    "id": "2bc9560f1a3f42b49df00181c1188ed1",
                    "linked_at": "2026-12-02T01:43:27.962038+00:00",
                    "method": "mpi",
                    "proof": "identity",
                    "shared": True,
                },
                {
                    "agency": "HFS",
                    "id": "9fd9ebed75e94eafb38f1c19f8c19e34",
                    "linked_at": "2026-12-02T01:43:28.000927+00:00",
                    "method": "mpi",
                    "proof": "identity",
                    "shared": True,
                },
            ],
            "locale": "en",
            "name": "Maria Lopez",
            "record_search": {"searched_at": "2026-12-02T01:43:27.907970+00:00", "status": "found"},
            "time_zone": "America/Chicago",
        }
    },
    "listBenefits": {
        "200": {
            "data": [
                {
                    "actions": [
                        {
                            "due_on": "2026-12-07",
                            "id": "5155d5c6b3104e47be127fbb4d309573",
                            "kind": "document",
                            "scheduled_at": None,
                            "state": "open",
                            "title": "Proof of income: last 30 days of pay stubs",
                        }
                    ],
                    "agency": "DHS",
                    "amount": {"cents": 23400, "currency": "USD", "frequency": "monthly"},
                    "as_of": "2026-12-02T01:43:29.652070+00:00",
                    "case_number": "•••••5367",
                    "certification_period": {"end_on": "2027-07-14", "start_on": "2026-07-15"},
                    "id": "939dc7d67aea44bea3a08086e5fd77a8",
                    "next_payment_on": "2026-12-14",
                    "plan": None,
                    "program": {"code": "SNAP", "name": "SNAP food benefits"},
                    "renewal_due_on": None,
                    "status": "active",
                    "status_label": "Active",
                    "status_reason": "You qualify, and your benefits are active.",
                    "status_since": "2026-07-30",
                }
            ],
            "meta": {
                "identity_verification_required": False,
                "locale": "en",
                "message": None,
                "next_cursor": None,
                "sources": [
                    {"agency": "DHS", "as_of": "2026-12-02T01:43:29.652070+00:00", "status": "fresh"},
                    {"agency": "HFS", "as_of": "2026-12-02T01:43:29.521089+00:00", "status": "fresh"},
                    {"agency": "AGING", "as_of": None, "status": "not_linked"},
                    {"agency": "DCEO", "as_of": None, "status": "not_linked"},
                    {"agency": "DEC", "as_of": None, "status": "not_linked"},
                ],
            },
        }
    },
    "listActions": {
        "200": {
            "data": [
                {
                    "agency": "DHS",
                    "benefit_id": "939dc7d67aea44bea3a08086e5fd77a8",
                    "due_on": "2026-12-07",
                    "id": "5155d5c6b3104e47be127fbb4d309573",
                    "kind": "document",
                    "program": {"code": "SNAP", "name": "SNAP food benefits"},
                    "scheduled_at": None,
                    "state": "open",
                    "title": "Proof of income: last 30 days of pay stubs",
                }
            ],
            "meta": {
                "identity_verification_required": False,
                "locale": "en",
                "message": None,
                "next_cursor": None,
                "sources": [
                    {"agency": "DHS", "as_of": "2026-12-02T01:43:29.652070+00:00", "status": "fresh"},
                    {"agency": "HFS", "as_of": "2026-12-02T01:43:29.521089+00:00", "status": "fresh"},
                    {"agency": "AGING", "as_of": None, "status": "not_linked"},
                    {"agency": "DCEO", "as_of": None, "status": "not_linked"},
                    {"agency": "DEC", "as_of": None, "status": "not_linked"},
                ],
            },
        }
    },
    "registerDevice": {
        "request": {
            "platform": "android",
            "push_token": "maria-phone-demo-token-0001",
            "app_id": "sandbox-app",
            "locale": "en",
        },
        "201": {
            "active": True,
            "app_id": "sandbox-app",
            "created_at": "2026-12-02T01:43:31.399916+00:00",
            "id": "ffbba136e2d145b998f92bf4e3ee6db7",
            "locale": "en",
            "platform": "android",
            "push_token": "•••••n-0001",
            "registered_at": "2026-12-02T01:43:31.398576+00:00",
        },
    },
    "getNotificationPreferences": {
        "200": {
            "categories": {
                "account": {"enabled": True},
                "documents": {"enabled": True},
                "interviews": {"enabled": True},
                "notices": {"enabled": True},
                "payments": {"enabled": True},
                "renewals": {"enabled": True},
                "status": {"enabled": True},
            },
            "detailed_previews": False,
            "quiet_hours": None,
        }
    },
    "setNotificationPreferences": {
        "request": {"categories": {"payments": {"enabled": False}}, "quiet_hours": {"start": "21:00", "end": "07:00"}}
    },
    "listConsents": {
        "200": {
            "data": [
                {"agency": "DHS", "granted": True, "linked": True, "updated_at": None},
                {"agency": "HFS", "granted": True, "linked": True, "updated_at": None},
                {"agency": "AGING", "granted": True, "linked": False, "updated_at": None},
                {"agency": "DCEO", "granted": True, "linked": False, "updated_at": None},
                {"agency": "DEC", "granted": True, "linked": False, "updated_at": None},
            ],
            "meta": {"next_cursor": None},
        }
    },
    "listSessions": {
        "200": {
            "data": [
                {
                    "client_id": "sandbox-app",
                    "created_at": "2026-12-02T01:43:28.003826+00:00",
                    "current": True,
                    "device_label": None,
                    "id": "cb6a8ee1eff4473c8f1f4412c0dbf0ff",
                    "last_seen_at": "2026-12-02T01:43:28.067182+00:00",
                    "user_agent": "Werkzeug/3.1.9",
                }
            ],
            "meta": {"next_cursor": None},
        }
    },
    "findResidents": {
        "200": {
            "data": [
                {
                    "id": "98622b05da9c4509a223c2fcb8bcb323",
                    "identity_verified": True,
                    "matched_by": "case_number",
                    "name": "Maria Lopez",
                }
            ],
            "meta": {"next_cursor": None},
        }
    },
    "listAccessLog": {
        "200": {
            "data": [
                {
                    "action": "resident.read",
                    "break_glass": False,
                    "description": "A support agent (Sophie) viewed your account details (linked "
                    "agencies, sharing choices, devices and sign-ins) on December "
                    "1, 2026, 7:43\u202fPM. Reason: Caller asked why her SNAP "
                    "shows a document due.",
                    "id": 2,
                    "occurred_at": "2026-12-02T01:43:32.309375+00:00",
                    "reason": "Caller asked why her SNAP shows a document due",
                    "who": {"kind": "staff", "name": "Sophie", "role": "A support agent"},
                }
            ],
            "meta": {"next_cursor": None},
        }
    },
    "linkRecord": {
        "request": {"agency": "DHS", "case_number": "318274650", "letter_code": "KXQT-4821", "birthdate": "1985-09-23"}
    },
    "requestToken": {
        "request": {
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6InNhbmRib3gtMSJ9…",
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "client_id": "sandbox-app",
            "device_name": "Maria's Pixel",
        },
        "200": {
            "access_token": "eyJhbGciOiJFUzI1NiIsImtpZCI6Imh1Yi0xIn0…",
            "token_type": "Bearer",
            "expires_in": 900,
            "refresh_token": "rt_5Jb0m…",
            "session_id": "cb6a8ee1eff4473c8f1f4412c0dbf0ff",
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        },
    },
}
