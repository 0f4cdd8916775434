"""Several residents accepting one code at once (a code shared around): exactly one becomes the representative.

On PostgreSQL the accepts really interleave (each reads the invitation unused, then races on the one conditional
update that claims it); on SQLite the writes queue behind one another. Either way one wins."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from services.models.representation import RepresentativeDesignation, RepresentativeInvitation
from services.representation.invitations import create_invitation
from tests.factories import create_resident, create_signed_in_resident


def test_of_concurrent_accepts_of_one_code_exactly_one_wins(sandbox_app, sandbox_hub, db_session):
    person = create_resident(db_session, links={"HFS": "hfs-race-0001"}, given_name="Ana")
    made = create_invitation(db_session, person.id, ["HFS"], 7)
    db_session.commit()
    racers = [create_signed_in_resident(sandbox_hub, given_name=f"Racer{n}") for n in range(6)]
    start, statuses = threading.Barrier(len(racers)), []

    def race(caller) -> None:
        client = sandbox_app.test_client()
        start.wait()
        response = client.post(
            "/v1/me/represented", json={"code": made.code}, headers={"Authorization": f"Bearer {caller.token}"}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=race, args=(caller,)) for caller in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201] + [404] * (len(racers) - 1)
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(RepresentativeDesignation)) == 1
    invitation = db_session.get(RepresentativeInvitation, made.invitation.id)
    winner = db_session.get(RepresentativeDesignation, invitation.designation_id)
    assert winner.representative_id in {caller.id for caller in racers}
