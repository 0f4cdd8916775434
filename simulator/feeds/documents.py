"""One agency feed document for one person, exactly as that agency's endpoint serves it (shared by routes and events)."""

from __future__ import annotations

from datetime import date

from simulator.feeds.aging import MAX_PAGE_SIZE, aging_rows, export_page
from simulator.feeds.dceo import render_applicant
from simulator.feeds.dec import render_dec_cases
from simulator.feeds.dhs import render_dhs_cases
from simulator.feeds.hfs import render_coverage_bundle
from simulator.people.model import AgencyRecord, Person

CONTENT_TYPES = {
    "DHS": "application/json",
    "HFS": "application/fhir+json",
    "AGING": "application/json",
    "DCEO": "application/json",
    "DEC": "application/xml",
}


def render_record_document(
    person: Person, record: AgencyRecord, day: int, start_date: date, base_url: str
) -> dict | str:
    """What GET on this record's feed URL returns (AGING: the person's whole export in one page)."""
    agency = record.agency
    if agency == "DHS":
        return render_dhs_cases(person, record, day, start_date)
    if agency == "HFS":
        return render_coverage_bundle(person, record, day, start_date, base_url, record.record_id)
    if agency == "AGING":
        rows = aging_rows(person, record, day, start_date)
        return export_page(rows, 1, max(100, min(MAX_PAGE_SIZE, len(rows))), len(rows), day, start_date)
    if agency == "DCEO":
        return render_applicant(person, record, day, start_date)
    return render_dec_cases(person, record, day, start_date, person.person_id)
