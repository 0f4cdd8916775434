"""Pure functions: what a case looks like on a given scenario day, and on which days it changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from simulator.people.model import ACTIVE, Appointment, Case, DocumentRequest, Notice, Payment, Renewal, StatusStep
from simulator.people.program_rules import CERTIFICATION_DAYS

PAYMENT_HISTORY_SHOWN = 12


@dataclass(frozen=True)
class CaseView:
    case: Case
    status: str
    status_day: int
    status_reason: str
    history: tuple[StatusStep, ...]
    documents: tuple[tuple[DocumentRequest, str], ...]  # state: requested | received | overdue
    appointments: tuple[tuple[Appointment, str], ...]  # state: scheduled | completed | missed
    notices: tuple[Notice, ...]
    payments: tuple[Payment, ...]
    next_payment_day: int | None
    renewal_due_day: int | None
    renewal_state: str | None  # upcoming | packet_sent | returned | overdue
    renewal_packet_day: int | None
    cert_start_day: int | None
    cert_end_day: int | None
    last_changed_day: int


def case_on(case: Case, day: int, start_date: date) -> CaseView:
    history = tuple(step for step in case.history if step.day <= day)
    current = history[-1] if history else StatusStep(case.applied_day, case.history[0].status)
    documents = tuple((doc, document_state(doc, day)) for doc in case.documents if doc.requested_day <= day)
    appointments = tuple((appt, appointment_state(appt, day)) for appt in case.appointments if appt.set_day <= day)
    notices = tuple(notice for notice in case.notices if notice.day <= day)
    paid = sorted(
        [p for p in case.payments if p.day <= day] + recurring_payments(case, start_date, -10_000, day),
        key=lambda p: p.day,
    )
    renewal = case.renewal
    renewal_state = None
    cert_start, cert_end = case.cert_start_day, case.cert_end_day
    renewed = cert_end is not None and current.status == ACTIVE and current.day == cert_end + 1
    if renewed:  # a renewal step opens the next 12-month period, whose own renewal is a year away
        cert_start, cert_end = cert_end + 1, cert_end + CERTIFICATION_DAYS
        renewal = Renewal(due_day=cert_end, packet_day=None) if renewal is not None else None
    if renewal is not None:
        if renewal.returned_day is not None and renewal.returned_day <= day:
            renewal_state = "returned"
        elif day > renewal.due_day:
            renewal_state = "overdue"
        elif renewal.packet_day is not None and renewal.packet_day <= day:
            renewal_state = "packet_sent"
        else:
            renewal_state = "upcoming"
    changed = [d for d in change_days(case, start_date, -10_000, day)]
    return CaseView(
        case=case,
        status=current.status,
        status_day=current.day,
        status_reason=current.reason,
        history=history,
        documents=documents,
        appointments=appointments,
        notices=notices,
        payments=tuple(paid[-PAYMENT_HISTORY_SHOWN:]),
        next_payment_day=next_issuance_day(case, start_date, day) if current.status == ACTIVE else None,
        renewal_due_day=renewal.due_day if renewal else None,
        renewal_state=renewal_state,
        renewal_packet_day=renewal.packet_day
        if renewal and renewal.packet_day is not None and renewal.packet_day <= day
        else None,
        cert_start_day=cert_start,
        cert_end_day=cert_end,
        last_changed_day=max(changed) if changed else case.applied_day,
    )


def document_state(doc: DocumentRequest, day: int) -> str:
    if doc.received_day is not None and doc.received_day <= day:
        return "received"
    return "overdue" if day > doc.due_day else "requested"


def appointment_state(appt: Appointment, day: int) -> str:
    if day < appt.day:
        return "scheduled"
    return "completed" if appt.attended else "missed"


def status_on(case: Case, day: int) -> str:
    status = case.history[0].status
    for step in case.history:
        if step.day > day:
            break
        status = step.status
    return status


def recurring_payments(case: Case, start_date: date, lo: int, hi: int) -> list[Payment]:
    """Monthly issuance on the case's issuance day, from the month after it first became active."""
    dom = case.issuance_day_of_month
    if dom is None or case.amount_cents is None or hi < lo:
        return []
    first_active = next((s.day for s in case.history if s.status == ACTIVE), None)
    if first_active is None:
        return []
    start = start_date + timedelta(days=max(lo, first_active))
    end = start_date + timedelta(days=hi)
    activated = start_date + timedelta(days=first_active)
    year, month = start.year, start.month
    out: list[Payment] = []
    while (year, month) <= (end.year, end.month):
        if (year, month) > (activated.year, activated.month):
            pay_day = (date(year, month, dom) - start_date).days
            if lo <= pay_day <= hi and pay_day > first_active and status_on(case, pay_day) == ACTIVE:
                out.append(Payment(pay_day, case.amount_cents, "regular"))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def next_issuance_day(case: Case, start_date: date, day: int) -> int | None:
    """The next regular issuance after `day` if the case stays as it is today (no peeking at future changes)."""
    dom = case.issuance_day_of_month
    first_active = next((s.day for s in case.history if s.status == ACTIVE and s.day <= day), None)
    if dom is None or case.amount_cents is None or first_active is None:
        return None
    activated = start_date + timedelta(days=first_active)
    today = start_date + timedelta(days=day)
    year, month = today.year, today.month
    for _ in range(3):
        candidate = (date(year, month, dom) - start_date).days
        if candidate > day and (year, month) > (activated.year, activated.month):
            return candidate
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return None


def change_days(case: Case, start_date: date, lo: int, hi: int) -> set[int]:
    """Every day in [lo, hi] on which `case_on` gives a different picture than the day before."""
    days: set[int] = {step.day for step in case.history}
    for doc in case.documents:
        days.add(doc.requested_day)
        if doc.received_day is not None and doc.received_day <= doc.due_day:
            days.add(doc.received_day)
        else:
            days.add(doc.due_day + 1)
            if doc.received_day is not None:
                days.add(doc.received_day)
    for appt in case.appointments:
        days.add(appt.set_day)
        days.add(appt.day)
    days.update(notice.day for notice in case.notices)
    days.update(payment.day for payment in case.payments)
    if case.renewal is not None:
        renewal = case.renewal
        if renewal.packet_day is not None:
            days.add(renewal.packet_day)
        if renewal.returned_day is not None:
            days.add(renewal.returned_day)
        if renewal.returned_day is None or renewal.returned_day > renewal.due_day:
            days.add(renewal.due_day + 1)
    days.update(p.day for p in recurring_payments(case, start_date, lo - 1, hi))
    return {d for d in days if lo <= d <= hi}
