"""Generated residents: everything about resident n follows from (seed, n), so any one is built on demand.

`generated_identity` is the cheap part (a hash, a few table look-ups) used to build the MPI index in bulk;
`generated_resident` adds the agency cases, drawing each story from a small set of realistic lifecycles.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from hashlib import blake2b

from simulator.identifiers import encode
from simulator.people import names
from simulator.people.household import generated_household
from simulator.people.model import (
    ACTIVE,
    CLOSED,
    DENIED,
    PENDING,
    SUSPENDED,
    AgencyRecord,
    Appointment,
    Case,
    DocumentRequest,
    Notice,
    Payment,
    Person,
    Renewal,
    StatusStep,
)
from simulator.people.program_rules import (
    CCP_REASSESSMENT_NOTICE_DAYS,
    CERTIFICATION_DAYS,
    DOCUMENT_DUE_DAYS,
    INTERVIEW_NOTICE_LEAD_DAYS,
    MEDICAID_RENEWAL_PACKET_LEAD_DAYS,
    MISSED_INTERVIEW_DENIAL_DAYS,
    SNAP_RECERT_PACKET_LEAD_DAYS,
    issuance_day,
)

AGE_REFERENCE_YEAR = 2025  # birth years are absolute so a resident never changes with the start date
RESIDENT_PREFIX = "resident-"
DHS_SLOTS = {"SNAP": 0, "TANF": 1, "CASH": 2, "WIC": 3}
AGING_SLOTS = {"CCP": 0, "BAP": 1}
DHS_CENTS = {"SNAP": (2300, 29100), "TANF": (30000, 70000), "CASH": (10000, 80000)}  # a month's amount: [low, high)


def generated_identity(seed: int, n: int) -> tuple:
    """(given, family, birthdate, ssn_last4, locale, verified, age, digest) — the part the MPI index needs."""
    h = blake2b(b"%d:%d" % (seed, n), digest_size=32).digest()
    spanish = h[9] < 51
    if spanish:
        given = names.SPANISH_GIVEN_NAMES[(h[0] << 8 | h[1]) % len(names.SPANISH_GIVEN_NAMES)]
        family = names.SPANISH_FAMILY_NAMES[(h[2] << 8 | h[3]) % len(names.SPANISH_FAMILY_NAMES)]
    else:
        given = names.GIVEN_NAMES[(h[0] << 8 | h[1]) % len(names.GIVEN_NAMES)]
        family = names.FAMILY_NAMES[(h[2] << 8 | h[3]) % len(names.FAMILY_NAMES)]
    age = 18 + h[4] * 47 // 200 if h[4] < 200 else 65 + (h[4] - 200) * 30 // 56
    birthdate = date(AGE_REFERENCE_YEAR - age, 1 + h[5] % 12, 1 + h[6] % 28)
    ssn_last4 = f"{(h[7] << 8 | h[8]) % 10000:04d}"
    locale = "es" if spanish and h[10] < 180 else "en"
    verified = h[11] < 230
    return given, family, birthdate, ssn_last4, locale, verified, age, h


def aging_programs(age: int, h: bytes) -> tuple[bool, bool]:
    """(Community Care, Benefit Access) membership, decided from the identity hash so a roster is cheap."""
    return age >= 60 and h[14] < 77, age >= 65 and h[15] < 90


def has_record(seed: int, n: int, agency: str) -> bool | None:
    """Whether resident n has a record at ``agency``, known without building them (DHS: the draws before the
    first program; AGING: the identity hash), or None where only building them tells (the other agencies' draws
    follow the DHS cases'). The bulk export asks it of every resident, most of whom have no DHS record."""
    if agency not in ("DHS", "AGING"):
        return None
    age, h = generated_identity(seed, n)[6:]
    if agency == "AGING":
        return any(aging_programs(age, h))
    rng = random.Random(int.from_bytes(h, "big"))
    return next(_dhs_programs(rng, age, household_size(h)), None) is not None


def household_size(h: bytes) -> int:
    return 1 + h[13] % 5


def resident_index(handle: str, residents: int) -> int | None:
    if not handle.startswith(RESIDENT_PREFIX):
        return None
    digits = handle[len(RESIDENT_PREFIX) :]
    if not digits.isdigit() or digits.startswith("0"):
        return None
    n = int(digits)
    return n if 1 <= n <= residents else None


def generated_person_id(n: int) -> str:
    return "PER" + encode("person", n)


def generated_record_id(agency: str, n: int) -> str:
    prefix = {"DHS": "IES", "HFS": "hfs-", "AGING": "AG", "DCEO": "EA", "DEC": "DEC"}[agency]
    return prefix + encode(agency, n)


def generated_case_number(agency: str, n: int, slot: int = 0) -> str:
    width = {"DHS": 4, "AGING": 2}.get(agency, 1)
    return encode("case:" + agency, n * width + slot)


def generated_resident(seed: int, n: int) -> Person:
    given, family, birthdate, ssn4, locale, verified, age, h = generated_identity(seed, n)
    city, zip_code, area = names.PLACES[h[12] % len(names.PLACES)]
    rng = random.Random(int.from_bytes(h, "big"))
    household = household_size(h)
    records = []
    dhs = _dhs_cases(rng, n, age, household)
    if dhs:
        records.append(AgencyRecord("DHS", generated_record_id("DHS", n), dhs))
    if rng.random() < (0.75 if age >= 65 else 0.45):
        records.append(AgencyRecord("HFS", generated_record_id("HFS", n), (_medicaid(rng, n, age),)))
    aging = _aging_cases(rng, n, *aging_programs(age, h))
    if aging:
        records.append(AgencyRecord("AGING", generated_record_id("AGING", n), aging))
    if rng.random() < 0.12:
        records.append(AgencyRecord("DCEO", generated_record_id("DCEO", n), (_liheap(rng, n),)))
    if age < 45 and household > 1 and rng.random() < 0.12:
        records.append(AgencyRecord("DEC", generated_record_id("DEC", n), (_ccap(rng, n),)))
    return Person(
        person_id=generated_person_id(n),
        handle=f"{RESIDENT_PREFIX}{n}",
        given_name=given,
        family_name=family,
        birthdate=birthdate,
        ssn_last4=ssn4,
        email=f"{_ascii(given)}.{_ascii(family)}.{n}@example.com",
        phone=f"+1{area}555{n % 10000:04d}",
        locale=locale,
        verified=verified,
        household_size=household,
        city=city,
        zip_code=zip_code,
        records=tuple(records),
        household=generated_household(seed, n, birthdate, household, AGE_REFERENCE_YEAR),
    )


ASCII_EMAIL = str.maketrans("áéíóúñśÁÉÍÓÚÑŚ", "aeiounsAEIOUNS", "' ")


def _ascii(name: str) -> str:
    return name.translate(ASCII_EMAIL).lower()


def _dhs_programs(rng: random.Random, age: int, household: int) -> Iterator[str]:
    """A resident's DHS programs, each drawn when the previous one's case is built (a generator: the case's own
    draws come between), so the draws before the first program are all it takes to know one exists."""
    if rng.random() < 0.38:
        yield "SNAP"
    if age < 60 and household > 1 and rng.random() < 0.05:
        yield "TANF"
    if age >= 65 and rng.random() < 0.08:
        yield "CASH"
    if age < 45 and household > 1 and rng.random() < 0.12:
        yield "WIC"


def _dhs_cases(rng: random.Random, n: int, age: int, household: int) -> tuple[Case, ...]:
    cases = []
    for program in _dhs_programs(rng, age, household):
        if program == "WIC":
            cases.append(_wic(rng, n))
            continue
        low, high = DHS_CENTS[program]
        scale = max(1, household // 2) if program == "SNAP" else 1
        cases.append(_cash_like(rng, n, program, rng.randrange(low, high) * scale // 100 * 100))
    return tuple(cases)


def _cash_like(rng: random.Random, n: int, program: str, cents: int) -> Case:
    """SNAP, TANF or AABD cash: ongoing with a recertification, a new application, or a past denial/closure."""
    number = generated_case_number("DHS", n, DHS_SLOTS[program])
    dom = issuance_day(number)
    roll = rng.random()
    if roll < 0.55:
        start = -rng.randrange(1, 361)
        end = start + CERTIFICATION_DAYS - 1
        history = [
            StatusStep(start, PENDING, "Application received"),
            StatusStep(start + rng.randrange(10, 26), ACTIVE, "Eligible"),
        ]
        notices = [Notice(f"{number}-N1", history[1].day, "APPR", f"Your {program} application is approved")]
        documents = []
        returned = end - rng.randrange(15, 40) if rng.random() < 0.7 else None
        renewal = Renewal(due_day=end, packet_day=end - SNAP_RECERT_PACKET_LEAD_DAYS, returned_day=returned)
        notices.append(
            Notice(f"{number}-N2", renewal.packet_day, "REDE", f"Time to renew your {program}: redetermination form")
        )
        if returned is not None:
            history.append(StatusStep(end + 1, ACTIVE, "Recertified for 12 months"))
        else:
            history.append(StatusStep(end + 1, CLOSED, "Redetermination not completed"))
            notices.append(Notice(f"{number}-N3", end + 1, "CLOS", f"Your {program} case is closed"))
        asked = rng.randrange(-20, 40)
        if rng.random() < 0.25 and history[1].day < asked < end - 60:
            received = asked + rng.randrange(2, 9) if rng.random() < 0.6 else None
            documents.append(
                DocumentRequest(
                    f"{number}-V1",
                    "income",
                    "Proof of income: last 30 days of pay stubs",
                    asked,
                    asked + DOCUMENT_DUE_DAYS,
                    received,
                )
            )
            notices.append(Notice(f"{number}-N4", asked, "VCL", "We need proof of your income by the due date"))
            if received is None:
                history.insert(2, StatusStep(asked + DOCUMENT_DUE_DAYS + 10, SUSPENDED, "Verification not returned"))
                notices.append(
                    Notice(
                        f"{number}-N5", asked + DOCUMENT_DUE_DAYS + 10, "SUSP", f"Your {program} benefits are on hold"
                    )
                )
        return Case(
            "DHS",
            program,
            number,
            start,
            tuple(history),
            start,
            end,
            cents,
            dom,
            payments=(Payment(history[1].day, cents // 2, "initial"),),
            documents=tuple(documents),
            notices=tuple(sorted(notices, key=lambda x: x.day)),
            renewal=renewal,
        )
    if roll < 0.8:
        applied = rng.randrange(-30, 30)
        interview = applied + INTERVIEW_NOTICE_LEAD_DAYS
        attended = rng.random() < 0.75
        appointment = Appointment(
            f"{number}-A1",
            "interview",
            applied + 1,
            interview,
            rng.choice(("09:00", "10:30", "13:00", "14:30")),
            rng.choice(("phone", "in_person")),
            attended,
        )
        notices = [Notice(f"{number}-N1", applied + 1, "INTV", f"Your {program} interview is scheduled")]
        history = [StatusStep(applied, PENDING, "Application received")]
        payments: tuple[Payment, ...] = ()
        if attended:
            decided = interview + rng.randrange(2, 10)
            history.append(StatusStep(decided, ACTIVE, "Eligible"))
            notices.append(Notice(f"{number}-N2", decided, "APPR", f"Your {program} application is approved"))
            payments = (Payment(decided, cents * rng.randrange(30, 95) // 100, "initial"),)
        else:
            notices.append(
                Notice(f"{number}-N2", interview, "NOMI", "You missed your interview: call us to reschedule")
            )
            decided = applied + MISSED_INTERVIEW_DENIAL_DAYS
            history.append(StatusStep(decided, DENIED, "Missed interview"))
            notices.append(Notice(f"{number}-N3", decided, "DENY", f"Your {program} application is denied"))
        return Case(
            "DHS",
            program,
            number,
            applied,
            tuple(history),
            applied,
            applied + CERTIFICATION_DAYS - 1,
            cents,
            dom,
            payments=payments,
            appointments=(appointment,),
            notices=tuple(notices),
        )
    ended = -rng.randrange(5, 300)
    if roll < 0.9:
        applied = ended - 30
        reason = rng.choice(("Household income is over the limit", "Missed interview", "Not a resident of Illinois"))
        return Case(
            "DHS",
            program,
            number,
            applied,
            (StatusStep(applied, PENDING, "Application received"), StatusStep(ended, DENIED, reason)),
            notices=(Notice(f"{number}-N1", ended, "DENY", f"Your {program} application is denied"),),
        )
    applied = ended - rng.randrange(200, 700)
    reason = rng.choice(("Redetermination not completed", "Household income is over the limit", "Moved out of state"))
    return Case(
        "DHS",
        program,
        number,
        applied,
        (
            StatusStep(applied, PENDING, "Application received"),
            StatusStep(applied + 20, ACTIVE, "Eligible"),
            StatusStep(ended, CLOSED, reason),
        ),
        amount_cents=cents,
        issuance_day_of_month=dom,
        notices=(Notice(f"{number}-N1", ended, "CLOS", f"Your {program} case is closed"),),
    )


def _wic(rng: random.Random, n: int) -> Case:
    number = generated_case_number("DHS", n, DHS_SLOTS["WIC"])
    start = -rng.randrange(1, 361)
    history = [StatusStep(start - 2, PENDING, "Application received"), StatusStep(start, ACTIVE, "Certified")]
    end = start + CERTIFICATION_DAYS - 1
    history.append(StatusStep(end + 1, CLOSED, "Certification period ended"))
    return Case(
        "DHS",
        "WIC",
        number,
        start - 2,
        tuple(history),
        start,
        end,
        notices=(Notice(f"{number}-N1", start, "WCRT", "Your WIC certification"),),
        plan=rng.choice(("Child food package", "Infant food package", "Pregnancy food package")),
    )


def _medicaid(rng: random.Random, n: int, age: int) -> Case:
    number = generated_case_number("HFS", n)
    plan = "|".join(rng.choice(names.MEDICAID_PLANS) if age < 65 else ("AABD", "HC-MCO-AETNA"))
    roll = rng.random()
    if roll < 0.75:
        due = rng.randrange(1, 366)
        start = due - CERTIFICATION_DAYS
        returned = due - rng.randrange(5, 41) if rng.random() < 0.75 else None
        packet = due - MEDICAID_RENEWAL_PACKET_LEAD_DAYS
        history = [StatusStep(start - 20, PENDING, "Application received"), StatusStep(start, ACTIVE, "Eligible")]
        notices = [
            Notice(f"{number}-N1", start, "MAPP", "Your Medicaid coverage is approved"),
            Notice(f"{number}-N2", packet, "RNWL", "Your Medicaid renewal packet: return it by the due date"),
        ]
        documents = []
        if returned is not None:
            history.append(StatusStep(due + 1, ACTIVE, "Renewed for 12 months"))
            notices.append(Notice(f"{number}-N3", due + 1, "MRNW", "Your Medicaid coverage was renewed"))
            if rng.random() < 0.3:
                documents.append(
                    DocumentRequest(
                        f"{number}-V1",
                        "income",
                        "Proof of income for your renewal",
                        returned + 3,
                        returned + 3 + DOCUMENT_DUE_DAYS,
                        returned + 3 + rng.randrange(1, 9),
                    )
                )
        else:
            history.append(StatusStep(due + 1, CLOSED, "Renewal not returned"))
            notices.append(Notice(f"{number}-N3", due + 1, "MCAN", "Your Medicaid coverage has ended"))
        return Case(
            "HFS",
            "MEDICAID",
            number,
            start - 20,
            tuple(history),
            start,
            due,
            documents=tuple(documents),
            notices=tuple(sorted(notices, key=lambda x: x.day)),
            renewal=Renewal(due, packet, returned),
            plan=plan,
        )
    if roll < 0.88:
        applied = rng.randrange(-30, 21)
        asked = applied + 2
        received = asked + rng.randrange(2, 12) if rng.random() < 0.7 else None
        decided = applied + 45
        doc = DocumentRequest(
            f"{number}-V1",
            "identity",
            "Proof of identity and Illinois residence",
            asked,
            asked + DOCUMENT_DUE_DAYS,
            received,
        )
        if received is not None:
            step = StatusStep(decided, ACTIVE, "Eligible")
            notice = Notice(f"{number}-N2", decided, "MAPP", "Your Medicaid coverage is approved")
        else:
            step = StatusStep(decided, DENIED, "Verification not returned")
            notice = Notice(f"{number}-N2", decided, "MDEN", "Your Medicaid application is denied")
        return Case(
            "HFS",
            "MEDICAID",
            number,
            applied,
            (StatusStep(applied, PENDING, "Application received"), step),
            decided,
            decided + CERTIFICATION_DAYS - 1,
            documents=(doc,),
            notices=(Notice(f"{number}-N1", asked, "MVCL", "We need documents for your Medicaid application"), notice),
            plan=plan,
        )
    ended = -rng.randrange(10, 400)
    start = ended - CERTIFICATION_DAYS
    return Case(
        "HFS",
        "MEDICAID",
        number,
        start - 20,
        (
            StatusStep(start - 20, PENDING, "Application received"),
            StatusStep(start, ACTIVE, "Eligible"),
            StatusStep(ended, CLOSED, "Renewal not returned"),
        ),
        start,
        ended,
        notices=(Notice(f"{number}-N1", ended, "MCAN", "Your Medicaid coverage has ended"),),
        plan=plan,
    )


def _aging_cases(rng: random.Random, n: int, ccp: bool, bap: bool) -> tuple[Case, ...]:
    cases = []
    if ccp:
        number = generated_case_number("AGING", n, AGING_SLOTS["CCP"])
        start = -rng.randrange(30, 1500)
        reassess = rng.randrange(1, 366)
        told = reassess - CCP_REASSESSMENT_NOTICE_DAYS
        attended = rng.random() < 0.9
        notices = [
            Notice(f"{number}-N1", start, "CCPE", "You are enrolled in the Community Care Program"),
            Notice(f"{number}-N2", told, "RASM", "Your Community Care reassessment visit is scheduled"),
        ]
        if not attended:
            notices.append(Notice(f"{number}-N3", reassess, "RAMS", "We missed you at your reassessment visit"))
        cases.append(
            Case(
                "AGING",
                "CCP",
                number,
                start - 20,
                (StatusStep(start - 20, PENDING, "Referral received"), StatusStep(start, ACTIVE, "Eligible")),
                appointments=(
                    Appointment(
                        f"{number}-A1",
                        "reassessment",
                        told,
                        reassess,
                        rng.choice(("09:30", "10:30", "13:30")),
                        "home_visit",
                        attended,
                    ),
                ),
                notices=tuple(notices),
                plan=rng.choice(("HOMEMAKER 8H/WK", "HOMEMAKER 12H/WK", "ADULT DAY SVC 3D/WK", "EMERG HOME RESPONSE")),
            )
        )
    if bap:
        number = generated_case_number("AGING", n, AGING_SLOTS["BAP"])
        decided = rng.randrange(-700, 20)
        applied = decided - rng.randrange(10, 30)
        if rng.random() < 0.7:
            due = decided + 730
            cases.append(
                Case(
                    "AGING",
                    "BAP",
                    number,
                    applied,
                    (StatusStep(applied, PENDING, "Application received"), StatusStep(decided, ACTIVE, "Eligible")),
                    cert_start_day=decided,
                    cert_end_day=due,
                    notices=(Notice(f"{number}-N1", decided, "BAPP", "Your Benefit Access application is approved"),),
                    renewal=Renewal(
                        due, due - MEDICAID_RENEWAL_PACKET_LEAD_DAYS, due - 20 if rng.random() < 0.8 else None
                    ),
                )
            )
        else:
            cases.append(
                Case(
                    "AGING",
                    "BAP",
                    number,
                    applied,
                    (
                        StatusStep(applied, PENDING, "Application received"),
                        StatusStep(decided, DENIED, "Household income is over the limit"),
                    ),
                    notices=(Notice(f"{number}-N1", decided, "BDEN", "Your Benefit Access application was denied"),),
                )
            )
    return tuple(cases)


def _liheap(rng: random.Random, n: int) -> Case:
    number = generated_case_number("DCEO", n)
    applied = rng.randrange(-90, 31)
    award = rng.randrange(200, 1201) * 100
    history = [StatusStep(applied, PENDING, "Application received")]
    documents, notices, payments = [], [], []
    missing = rng.random() < 0.3
    if missing:
        received = applied + 3 + rng.randrange(2, 9) if rng.random() < 0.6 else None
        documents.append(
            DocumentRequest(
                f"{number}-V1",
                "expenses",
                "A recent heating bill",
                applied + 3,
                applied + 3 + DOCUMENT_DUE_DAYS,
                received,
            )
        )
        missing = received is None
    if missing:
        history.append(StatusStep(applied + 30, DENIED, "Documents not received"))
        notices.append(Notice(f"{number}-N1", applied + 30, "DENY", "Your energy assistance application is denied"))
    elif rng.random() < 0.85:
        history.append(StatusStep(applied + 20, ACTIVE, "Eligible"))
        notices.append(Notice(f"{number}-N1", applied + 20, "AWRD", "Your energy assistance award"))
        payments.append(Payment(applied + 30, award, "award"))
    else:
        history.append(StatusStep(applied + 20, DENIED, "Household income is over the limit"))
        notices.append(Notice(f"{number}-N1", applied + 20, "DENY", "Your energy assistance application is denied"))
    return Case(
        "DCEO",
        "LIHEAP",
        number,
        applied,
        tuple(history),
        amount_cents=award,
        payments=tuple(payments),
        documents=tuple(documents),
        notices=tuple(notices),
        plan=rng.choice(names.UTILITIES),
    )


def _ccap(rng: random.Random, n: int) -> Case:
    number = generated_case_number("DEC", n)
    copay = rng.choice((100, 500, 1500, 2500, 4000, 7500, 12000))
    provider = rng.choice(names.CHILD_CARE_PROVIDERS)
    if rng.random() < 0.8:
        start = -rng.randrange(1, 361)
        end = start + CERTIFICATION_DAYS - 1
        returned = end - rng.randrange(10, 30) if rng.random() < 0.75 else None
        renewal = Renewal(end, end - MEDICAID_RENEWAL_PACKET_LEAD_DAYS, returned)
        history = [StatusStep(start - 15, PENDING, "Application received"), StatusStep(start, ACTIVE, "Eligible")]
        history.append(
            StatusStep(end + 1, ACTIVE, "Redetermined for 12 months")
            if returned
            else StatusStep(end + 1, CLOSED, "Redetermination not completed")
        )
        return Case(
            "DEC",
            "CCAP",
            number,
            start - 15,
            tuple(history),
            start,
            end,
            copay,
            renewal=renewal,
            plan=provider,
            notices=(
                Notice(f"{number}-N1", start, "CCAPR", "Your child care assistance is approved"),
                Notice(f"{number}-N2", renewal.packet_day, "CCRD", "Time to redetermine your child care assistance"),
            ),
        )
    applied = rng.randrange(-20, 21)
    asked = applied + 2
    received = asked + rng.randrange(1, 9)
    return Case(
        "DEC",
        "CCAP",
        number,
        applied,
        (StatusStep(applied, PENDING, "Application received"), StatusStep(applied + 25, ACTIVE, "Eligible")),
        applied + 25,
        applied + 24 + CERTIFICATION_DAYS,
        copay,
        plan=provider,
        documents=(
            DocumentRequest(
                f"{number}-V1",
                "employment",
                "Proof of work or school schedule",
                asked,
                asked + DOCUMENT_DUE_DAYS,
                received,
            ),
        ),
        notices=(Notice(f"{number}-N1", applied + 25, "CCAPR", "Your child care assistance is approved"),),
    )
