"""The contract's personas and their exact stories, day by day (day 0 is the day the sandbox starts).

Within the first 7 days: maria's document request falls due (overdue on day 6) and her Medicaid renewal
packet is issued (day 3); james's interview takes place (day 2) and his SNAP is approved with a first payment
(day 4); ana's Community Care reassessment is scheduled and a notice is posted (day 4).
Persona identifiers fail the Luhn check on purpose, so they never collide with generated residents.
"""

from __future__ import annotations

from datetime import date

from simulator.people.model import (
    ACTIVE,
    DENIED,
    PENDING,
    AgencyRecord,
    Appointment,
    Case,
    DocumentRequest,
    HouseholdMember,
    Notice,
    Payment,
    Person,
    Renewal,
    StatusStep,
)
from simulator.people.program_rules import CERTIFICATION_DAYS, issuance_day


def maria() -> Person:
    snap, wic, medicaid = "204815367", "204815375", "710038264"
    return Person(
        person_id="PER000000011",
        handle="maria",
        given_name="Maria",
        family_name="Lopez",
        birthdate=date(1988, 4, 12),
        ssn_last4="4821",
        email="maria.lopez@example.com",
        phone="+13125550101",
        locale="en",
        verified=True,
        household_size=3,
        city="Chicago",
        zip_code="60623",
        # her daughter is the child WIC serves (already enrolled); her son is at school
        household=(
            HouseholdMember("self", date(1988, 4, 12)),
            HouseholdMember("child", date(2023, 8, 9)),
            HouseholdMember("child", date(2016, 1, 22)),
        ),
        records=(
            AgencyRecord(
                "DHS",
                "IES100200301",
                (
                    Case(
                        "DHS",
                        "SNAP",
                        snap,
                        applied_day=-140,
                        history=(
                            StatusStep(-140, PENDING, "Application received"),
                            StatusStep(-125, ACTIVE, "Eligible"),
                        ),
                        cert_start_day=-140,
                        cert_end_day=-140 + CERTIFICATION_DAYS - 1,
                        amount_cents=23400,
                        issuance_day_of_month=issuance_day(snap),
                        payments=(Payment(-125, 15600, "initial"),),
                        documents=(
                            DocumentRequest(
                                f"{snap}-V1", "income", "Proof of income: last 30 days of pay stubs", -9, 5
                            ),
                        ),
                        notices=(
                            Notice(f"{snap}-N1", -125, "APPR", "Your SNAP application is approved"),
                            Notice(f"{snap}-N2", -9, "VCL", "We need proof of your income by the due date"),
                        ),
                    ),
                    Case(
                        "DHS",
                        "WIC",
                        wic,
                        applied_day=-60,
                        history=(
                            StatusStep(-60, PENDING, "Application received"),
                            StatusStep(-58, ACTIVE, "Certified"),
                        ),
                        cert_start_day=-58,
                        cert_end_day=-58 + CERTIFICATION_DAYS - 1,
                        notices=(Notice(f"{wic}-N1", -58, "WCRT", "Your WIC certification"),),
                        plan="Child food package",
                    ),
                ),
            ),
            AgencyRecord(
                "HFS",
                "hfs-300400501",
                (
                    Case(
                        "HFS",
                        "MEDICAID",
                        medicaid,
                        applied_day=-360,
                        history=(
                            StatusStep(-360, PENDING, "Application received"),
                            StatusStep(-340, ACTIVE, "Eligible"),
                        ),
                        cert_start_day=-340,
                        cert_end_day=25,
                        renewal=Renewal(due_day=25, packet_day=3),
                        notices=(
                            Notice(f"{medicaid}-N1", -340, "MAPP", "Your Medicaid coverage is approved"),
                            Notice(
                                f"{medicaid}-N2", 3, "RNWL", "Your Medicaid renewal packet: return it by the due date"
                            ),
                        ),
                        plan="ACA-ADULT|HC-MCO-BLUE",
                    ),
                ),
            ),
        ),
    )


def james() -> Person:
    snap, liheap = "204920118", "512004471"
    return Person(
        person_id="PER000000022",
        handle="james",
        given_name="James",
        family_name="Carter",
        birthdate=date(1979, 9, 30),
        ssn_last4="7310",
        email="james.carter@example.com",
        phone="+12175550102",
        locale="en",
        verified=True,
        household_size=1,
        city="Springfield",
        zip_code="62704",
        records=(
            AgencyRecord(
                "DHS",
                "IES100200402",
                (
                    Case(
                        "DHS",
                        "SNAP",
                        snap,
                        applied_day=-8,
                        history=(StatusStep(-8, PENDING, "Application received"), StatusStep(4, ACTIVE, "Eligible")),
                        cert_start_day=-8,
                        cert_end_day=-8 + CERTIFICATION_DAYS - 1,
                        amount_cents=29100,
                        issuance_day_of_month=issuance_day(snap),
                        payments=(Payment(4, 18000, "initial"),),
                        appointments=(Appointment(f"{snap}-A1", "interview", -6, 2, "10:00", "phone", attended=True),),
                        notices=(
                            Notice(f"{snap}-N1", -6, "INTV", "Your SNAP interview is scheduled"),
                            Notice(f"{snap}-N2", 4, "APPR", "Your SNAP application is approved"),
                        ),
                    ),
                ),
            ),
            AgencyRecord(
                "DCEO",
                "EA100200403",
                (
                    Case(
                        "DCEO",
                        "LIHEAP",
                        liheap,
                        applied_day=-40,
                        history=(StatusStep(-40, PENDING, "Application received"), StatusStep(-20, ACTIVE, "Eligible")),
                        amount_cents=45000,
                        payments=(Payment(-12, 45000, "award"),),
                        notices=(Notice(f"{liheap}-N1", -20, "AWRD", "Your energy assistance award"),),
                        plan="Ameren Illinois",
                    ),
                ),
            ),
        ),
    )


def ana(start_date: date) -> Person:
    """Seventy years old on day 0, whatever the start date."""
    born = date(start_date.year - 70, 3, 14)
    if (start_date.month, start_date.day) < (3, 14):
        born = born.replace(year=born.year - 1)
    medicaid, ccp, bap = "710052293", "830104125", "830104133"
    return Person(
        person_id="PER000000033",
        handle="ana",
        given_name="Ana",
        family_name="Morales",
        birthdate=born,
        ssn_last4="5502",
        email="ana.morales@example.com",
        phone="+17735550103",
        locale="es",
        verified=True,
        household_size=1,
        city="Cicero",
        zip_code="60804",
        records=(
            AgencyRecord(
                "HFS",
                "hfs-300400602",
                (
                    Case(
                        "HFS",
                        "MEDICAID",
                        medicaid,
                        applied_day=-720,
                        history=(
                            StatusStep(-720, PENDING, "Application received"),
                            StatusStep(-700, ACTIVE, "Eligible"),
                        ),
                        cert_start_day=-185,
                        cert_end_day=180,
                        renewal=Renewal(due_day=180, packet_day=120),
                        notices=(Notice(f"{medicaid}-N1", -185, "MRNW", "Your Medicaid coverage was renewed"),),
                        plan="AABD|HC-MCO-MERIDIAN",
                    ),
                ),
            ),
            AgencyRecord(
                "AGING",
                "AG100200604",
                (
                    Case(
                        "AGING",
                        "CCP",
                        ccp,
                        applied_day=-420,
                        history=(StatusStep(-420, PENDING, "Referral received"), StatusStep(-400, ACTIVE, "Eligible")),
                        appointments=(
                            Appointment(f"{ccp}-A1", "reassessment", -380, -35, "10:30", "home_visit", attended=True),
                            Appointment(f"{ccp}-A2", "reassessment", 4, 21, "10:30", "home_visit", attended=True),
                        ),
                        notices=(
                            Notice(f"{ccp}-N1", -400, "CCPE", "You are enrolled in the Community Care Program"),
                            Notice(f"{ccp}-N2", 4, "RASM", "Your Community Care reassessment visit is scheduled"),
                        ),
                        plan="HOMEMAKER 12H/WK",
                    ),
                    Case(
                        "AGING",
                        "BAP",
                        bap,
                        applied_day=-45,
                        history=(
                            StatusStep(-45, PENDING, "Application received"),
                            StatusStep(-30, DENIED, "Household income is over the limit"),
                        ),
                        notices=(Notice(f"{bap}-N1", -30, "BDEN", "Your Benefit Access application was denied"),),
                    ),
                ),
            ),
        ),
    )


def lee() -> Person:
    """Basic sign-in only: the IdP vouches for an email, not an identity. Records exist; the hub must not show them."""
    ccap = "640207719"
    return Person(
        person_id="PER000000044",
        handle="lee",
        given_name="Lee",
        family_name="Nguyen",
        birthdate=date(1993, 11, 2),
        ssn_last4="9034",
        email="lee.nguyen@example.com",
        phone="+13095550104",
        locale="en",
        verified=False,
        household_size=2,
        city="Peoria",
        zip_code="61602",
        records=(
            AgencyRecord(
                "DEC",
                "DEC100200705",
                (
                    Case(
                        "DEC",
                        "CCAP",
                        ccap,
                        applied_day=-100,
                        history=(
                            StatusStep(-100, PENDING, "Application received"),
                            StatusStep(-90, ACTIVE, "Eligible"),
                        ),
                        cert_start_day=-90,
                        cert_end_day=-90 + CERTIFICATION_DAYS - 1,
                        amount_cents=2500,
                        renewal=Renewal(due_day=-90 + CERTIFICATION_DAYS - 1, packet_day=-90 + CERTIFICATION_DAYS - 61),
                        notices=(Notice(f"{ccap}-N1", -90, "CCAPR", "Your child care assistance is approved"),),
                        plan="Little Stars Learning Center",
                    ),
                ),
            ),
        ),
    )


def sam() -> Person:
    """Verified, but no agency has ever heard of him: the MPI answers no_match."""
    return Person(
        person_id="PER000000055",
        handle="sam",
        given_name="Sam",
        family_name="Patel",
        birthdate=date(1990, 6, 21),
        ssn_last4="1188",
        email="sam.patel@example.com",
        phone="+16185550105",
        locale="en",
        verified=True,
        household_size=1,
        city="Carbondale",
        zip_code="62901",
    )


def grace() -> Person:
    """Verified under her married name, which DHS never heard of: the index cannot match her at sign-in, so she
    links her SNAP case with the code on its letter and her date of birth (which the platform checks)."""
    snap = "204930125"
    return Person(
        person_id="PER000000066",
        handle="grace",
        given_name="Grace",
        family_name="Okafor",
        idp_family_name="Okafor-Bell",
        birthdate=date(1985, 2, 17),
        ssn_last4="6642",
        email="grace.okafor-bell@example.com",
        phone="+17735550106",
        locale="en",
        verified=True,
        household_size=2,
        city="Rockford",
        zip_code="61104",
        records=(
            AgencyRecord(
                "DHS",
                "IES100200907",
                (
                    Case(
                        "DHS",
                        "SNAP",
                        snap,
                        applied_day=-200,
                        history=(
                            StatusStep(-200, PENDING, "Application received"),
                            StatusStep(-185, ACTIVE, "Eligible"),
                        ),
                        cert_start_day=-200,
                        cert_end_day=-200 + CERTIFICATION_DAYS - 1,
                        amount_cents=18700,
                        issuance_day_of_month=issuance_day(snap),
                        payments=(Payment(-185, 18700, "initial"),),
                        notices=(Notice(f"{snap}-N1", -185, "APPR", "Your SNAP application is approved"),),
                    ),
                ),
            ),
        ),
    )


def rosa() -> Person:
    """Ana's daughter: verified, no benefits of her own; AGING recorded her as ana's authorized representative
    (so the person index knows her), and ana can invite her for other agencies through the hub."""
    return Person(
        person_id="PER000000077",
        handle="rosa",
        given_name="Rosa",
        family_name="Morales",
        birthdate=date(1981, 8, 9),
        ssn_last4="3317",
        email="rosa.morales@example.com",
        phone="+17735550107",
        locale="en",
        verified=True,
        household_size=3,
        city="Berwyn",
        zip_code="60402",
        represents=(("AGING", "ana"),),
    )


def build_personas(start_date: date) -> dict[str, Person]:
    people = (maria(), james(), ana(start_date), lee(), sam(), grace(), rosa())
    return {person.handle: person for person in people}
