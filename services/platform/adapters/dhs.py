"""DHS integrated eligibility (SNAP, TANF, cash, WIC): camelCase JSON, four-letter codes, dollar strings,
MM/DD/YYYY dates. ``GET dhs/clients/{record_id}/cases``."""

from __future__ import annotations

from services.platform.adapters.common import (
    Page,
    Request,
    cents,
    code,
    derived_status,
    json_body,
    local_datetime,
    us_date,
)
from services.platform.records import (
    Action,
    Amount,
    BenefitRecord,
    HouseholdMember,
    Notice,
    Payment,
    StatusStep,
    stable_key,
)
from services.platform.status_reasons import reason_code

AGENCY = "DHS"
PROGRAMS = {"SNAP", "TANF", "CASH", "WIC"}
STATUSES = {"PEND": "pending", "ACTV": "active", "DENY": "denied", "CLSD": "closed", "SUSP": "suspended"}
VERIFICATIONS = {"REQD": "open", "RCVD": "done", "OVDU": "overdue"}
APPOINTMENTS = {"SCHEDULED": "open", "COMPLETED": "done", "MISSED": "missed"}
REDETERMINATIONS = {"NOT_SENT": None, "SENT": "open", "RECEIVED": "done", "OVERDUE": "overdue"}
FREQUENCIES = {"MONTHLY": "monthly", None: "monthly"}
RELATIONSHIPS = {"SELF": "self", "SPOU": "spouse", "CHLD": "child", "OTHR": "other"}
INTERVIEW_TITLES = {"PHONE": "Phone interview", "IN_PERSON": "In-person interview", "HOME_VISIT": "Home visit"}


def first_request(ref) -> Request:
    return Request(f"dhs/clients/{ref.record_id}/cases")


def view_stamp(pages: list[Page]):
    """The day the answer describes (``asOfDate``, a date only)."""
    return us_date(json_body(AGENCY, pages[0]).get("asOfDate"))


def normalise(pages: list[Page]) -> list[BenefitRecord]:
    body = json_body(AGENCY, pages[0])
    return [_case(case) for case in body["cases"]]


def _case(case: dict) -> BenefitRecord:
    program = code(AGENCY, {p: p for p in PROGRAMS}, case["programCode"], "program")
    base = code(AGENCY, STATUSES, case["statusCode"], "status")
    actions = tuple(_document(v) for v in case.get("pendingVerifications") or ())
    actions += tuple(_appointment(a) for a in case.get("appointments") or ())
    redetermination = case.get("redetermination")
    renewal_due_on = None
    if redetermination:
        renewal_due_on = us_date(redetermination["dueDate"])
        state = code(AGENCY, REDETERMINATIONS, redetermination["statusCode"], "redetermination status")
        if state is not None:
            actions += (
                Action(
                    f"renewal:{renewal_due_on.isoformat()}",
                    "renewal",
                    f"Return your {program} redetermination form",
                    state,
                    due_on=renewal_due_on,
                ),
            )
    status, since, derived_reason = derived_status(base, us_date(case.get("statusDate")), actions)
    amount_cents = cents(case.get("benefitAmount"))
    period = case.get("certPeriod") or {}
    return BenefitRecord(
        agency=AGENCY,
        key=f"{program}:{case['caseNumber']}",
        program_code=program,
        case_number=str(case["caseNumber"]),
        status=status,
        status_reason=derived_reason or reason_code(case.get("statusReason")),
        status_since=since,
        amount=None
        if amount_cents is None
        else Amount(amount_cents, "USD", code(AGENCY, FREQUENCIES, case.get("benefitFrequency"), "frequency")),
        next_payment_on=us_date(case.get("nextIssuanceDate")),
        certification_start=us_date(period.get("beginDate")),
        certification_end=us_date(period.get("endDate")),
        renewal_due_on=renewal_due_on,
        plan=case.get("foodPackage") or None,
        actions=actions,
        notices=tuple(
            Notice(str(n["noticeId"]), str(n["title"]), us_date(n["mailDate"])) for n in case.get("notices") or ()
        ),
        payments=tuple(_issuance(i) for i in case.get("issuances") or ()),
        history=tuple(
            StatusStep(
                code(AGENCY, STATUSES, s["statusCode"], "status"),
                us_date(s["effectiveDate"]),
                reason_code(s.get("reason")),
            )
            for s in case.get("statusHistory") or ()
        ),
        household=tuple(
            HouseholdMember(
                code(AGENCY, RELATIONSHIPS, member["relationshipCode"], "relationship"),
                us_date(member.get("birthDate")),
            )
            for member in case.get("householdMembers") or ()
        ),
    )


def _document(verification: dict) -> Action:
    return Action(
        f"doc:{verification['verificationId']}",
        "document",
        str(verification["description"]),
        code(AGENCY, VERIFICATIONS, verification["statusCode"], "verification status"),
        due_on=us_date(verification.get("dueDate")),
    )


def _appointment(appointment: dict) -> Action:
    day = us_date(appointment["date"])
    return Action(
        f"appt:{appointment['appointmentId']}",
        "interview",
        INTERVIEW_TITLES.get(appointment.get("modeCode"), "Interview"),
        code(AGENCY, APPOINTMENTS, appointment["statusCode"], "appointment status"),
        due_on=day,
        scheduled_at=local_datetime(day, appointment.get("time")),
    )


def _issuance(issuance: dict) -> Payment:
    paid_on = us_date(issuance["issuanceDate"])
    amount = cents(issuance["amount"])
    if amount is None:
        raise ValueError("an issuance without an amount")
    return Payment(stable_key(paid_on, amount, issuance.get("typeCode")), amount, "USD", paid_on)
