"""``GET /v1/me/access-log`` is told in the resident's language and on their own clock: ana reads Spanish, and the
moment sophie looked is written as the clock in ana's time zone showed it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import update

from services.models.identity import Resident
from tests.factories import sign_in, sign_in_staff

MESES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
         "noviembre", "diciembre")  # fmt: skip
REASON = "Ana asked who changed her Medicaid address"


def spanish_us_clock(moment: dt.datetime) -> str:
    """How es_US writes a moment: "2 de marzo de 2026, 8:05 a.m." (narrow no-break space before the period)."""
    hour = moment.hour % 12 or 12
    period = "a.m." if moment.hour < 12 else "p.m."
    return f"{moment.day} de {MESES[moment.month - 1]} de {moment.year}, {hour}:{moment.minute:02d}\u202f{period}"


def test_ana_reads_who_looked_in_spanish_on_her_own_clock(sandbox_client, sandbox_url, db_session):
    client = sandbox_client
    ana = sign_in(client, sandbox_url, "ana")
    me = client.get("/v1/me", headers=ana.headers).get_json()
    db_session.execute(update(Resident).where(Resident.id == me["id"]).values(time_zone="Asia/Tokyo"))
    db_session.commit()  # arrange: ana spends the winter with her son in Tokyo
    sophie = sign_in_staff(client, sandbox_url, "sophie")
    read = client.get(f"/v1/admin/residents/{me['id']}/benefits", headers={**sophie.headers, "X-Access-Reason": REASON})
    assert read.status_code == 200

    (entry,) = client.get("/v1/me/access-log", headers=ana.headers).get_json()["data"]

    tokyo = dt.datetime.fromisoformat(entry["occurred_at"]).astimezone(ZoneInfo("Asia/Tokyo"))
    assert entry["who"] == {"kind": "staff", "name": "Sophie", "role": "Un agente de soporte"}
    assert entry["description"] == (  # one period after "a.m.", not two
        f"Un agente de soporte (Sophie) vio tus beneficios el {spanish_us_clock(tokyo)} Motivo: {REASON}."
    )
    assert entry["reason"] == REASON and entry["action"] == "resident.benefits.read"  # the data itself, as written


def test_the_log_of_someone_who_never_chose_a_zone_is_on_the_states_clock(sandbox_client, sandbox_url):
    client = sandbox_client
    maria = sign_in(client, sandbox_url, "maria")
    maria_id = client.get("/v1/me", headers=maria.headers).get_json()["id"]
    sophie = sign_in_staff(client, sandbox_url, "sophie")
    client.get(f"/v1/admin/residents/{maria_id}/benefits", headers={**sophie.headers, "X-Access-Reason": REASON})

    (entry,) = client.get("/v1/me/access-log", headers=maria.headers).get_json()["data"]

    chicago = dt.datetime.fromisoformat(entry["occurred_at"]).astimezone(ZoneInfo("America/Chicago"))
    hour, period = chicago.hour % 12 or 12, "AM" if chicago.hour < 12 else "PM"
    assert entry["description"].startswith(
        f"A support agent (Sophie) viewed your benefits on {chicago:%B} {chicago.day}, {chicago.year}, "
        f"{hour}:{chicago.minute:02d}\u202f{period}."
    )
