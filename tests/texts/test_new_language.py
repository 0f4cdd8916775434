"""Adding a language is adding a folder: a copy of ``en`` as ``fr`` with a few strings translated, and nothing else
changed, makes a resident whose language is French read French in a notification, a benefits read, the profile
and the access log, with French dates and amounts (Babel's ``fr``) and English wherever the folder is silent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import update

from notifications.dispatch import dispatch_outbox
from services.models.identity import Resident
from services.outbox import PAYMENT_ISSUED, DomainEvent, write_events
from services.texts.catalogue import TEXTS_DIR, Catalogue, use_catalogue
from tests.factories import sign_in, sign_in_staff

REASON = "Maria asked about her SNAP payment"


def _translate(folder: Path, topic: str, changes: dict[tuple[str, ...], str]) -> None:
    path = folder / f"{topic}.json"
    content = json.loads(path.read_text(encoding="utf-8"))
    for key_path, text in changes.items():
        node = content
        for step in key_path[:-1]:
            node = node[step]
        node[key_path[-1]] = text
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def with_french(tmp_path):
    """The shipped texts and a French folder: ``en`` copied, a few strings translated. Nothing else is touched."""
    root = tmp_path / "texts"
    shutil.copytree(TEXTS_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(root / "en", root / "fr")
    french = root / "fr"
    _translate(french, "programs", {("SNAP",): "l'aide alimentaire SNAP"})
    _translate(
        french,
        "payments",
        {
            ("issued", "inbox", "title"): "Paiement de {program} envoyé",
            ("issued", "inbox", "body"): "Un paiement de {program} de {amount} a été émis le {paid_on}.",
        },
    )
    _translate(french, "statuses", {("active", "label"): "Actif"})
    _translate(
        french,
        "identity",
        {
            (
                "verification",
                "verified",
                "message",
            ): "Votre identité est vérifiée. L'application peut montrer vos dossiers."
        },
    )
    _translate(
        french,
        "access_log",
        {
            ("entry",): "{who} {what} le {when}.",
            ("reason",): "Motif : {reason}.",
            ("roles", "support"): "Une agente d'assistance",
            ("actions", "resident.benefits.read"): "a consulté vos prestations",
        },
    )
    with use_catalogue(Catalogue(root)) as catalogue:
        yield catalogue


def test_a_french_speaking_resident_reads_french_everywhere(with_french, sandbox_client, sandbox_url, sandbox_hub):
    client = sandbox_client
    assert "fr" in with_french.locales()
    maria = sign_in(client, sandbox_url, "maria")
    me = client.get("/v1/me", headers=maria.headers).get_json()
    snap = next(
        b
        for b in client.get("/v1/me/benefits", headers=maria.headers).get_json()["data"]
        if b["program"]["code"] == "SNAP"
    )
    with sandbox_hub.session() as session:  # arrange: maria now reads French, and SNAP pays her
        session.execute(update(Resident).where(Resident.id == me["id"]).values(locale="fr"))
        payment = {"benefit_id": snap["id"], "agency": "DHS", "program_code": "SNAP", "payment_id": "p-fr-1",
                   "cents": 123456, "currency": "USD", "paid_on": "2026-03-05"}  # fmt: skip
        write_events(session, me["id"], [DomainEvent(PAYMENT_ISSUED, payment, "payment.issued:p-fr-1")])
        session.commit()

    # a notification, with the French words for the program and Babel's French date and amount
    dispatch_outbox(sandbox_hub)
    (message,) = client.get("/v1/me/notifications", headers=maria.headers).get_json()["data"]
    assert message["locale"] == "fr" and message["title"] == "Paiement de l'aide alimentaire SNAP envoyé"
    assert (
        message["body"] == "Un paiement de l'aide alimentaire SNAP de 1\u202f234,56\xa0$US a été émis le 5 mars 2026."
    )

    # a benefits read asked for in French; what the folder does not translate is English
    read = client.get("/v1/me/benefits", headers={**maria.headers, "Accept-Language": "fr-CA, en;q=0.5"})
    assert read.headers["Content-Language"] == "fr" and read.get_json()["meta"]["locale"] == "fr"
    snap = next(b for b in read.get_json()["data"] if b["program"]["code"] == "SNAP")
    assert (snap["program"]["name"], snap["status_label"]) == ("l'aide alimentaire SNAP", "Actif")
    assert snap["status_reason"] == "You qualify, and your benefits are active."

    # the profile
    profile = client.get("/v1/me", headers=maria.headers).get_json()
    assert profile["locale"] == "fr"
    assert profile["identity_verification"]["message"].startswith("Votre identité est vérifiée")

    # the access log, on her clock (the state's) in French
    sophie = sign_in_staff(client, sandbox_url, "sophie")
    staff = {**sophie.headers, "X-Access-Reason": REASON}
    assert client.get(f"/v1/admin/residents/{me['id']}/benefits", headers=staff).status_code == 200
    (entry,) = client.get("/v1/me/access-log", headers=maria.headers).get_json()["data"]
    assert entry["who"]["role"] == "Une agente d'assistance"
    assert entry["description"].startswith("Une agente d'assistance (Sophie) a consulté vos prestations le ")
    assert entry["description"].endswith(f". Motif : {REASON}.")
    assert any(month in entry["description"] for month in ("janvier", "février", "mars", "avril", "mai", "juin",
               "juillet", "août", "septembre", "octobre", "novembre", "décembre"))  # fmt: skip


def test_without_the_folder_the_same_resident_reads_english(sandbox_client, sandbox_url, sandbox_hub):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    me = sandbox_client.get("/v1/me", headers=maria.headers).get_json()
    with sandbox_hub.session() as session:
        session.execute(update(Resident).where(Resident.id == me["id"]).values(locale="fr"))
        session.commit()

    read = sandbox_client.get("/v1/me/benefits", headers={**maria.headers, "Accept-Language": "fr"})
    profile = sandbox_client.get("/v1/me", headers=maria.headers).get_json()

    assert read.headers["Content-Language"] == "en"
    assert profile["identity_verification"]["message"].startswith("Your identity is verified")
