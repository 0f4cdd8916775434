"""One agency feed document for one person, exactly as that agency's endpoint serves it (shared by routes and events)."""

from __future__ import annotations

import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class FeedDocument:
    agency: str
    value: dict | str  # parsed JSON, or the XML text for DEC

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.agency]

    def text(self) -> str:
        return self.value if isinstance(self.value, str) else json.dumps(self.value, ensure_ascii=False)


def render_record_document(
    person: Person, record: AgencyRecord, day: int, start_date: date, base_url: str
) -> FeedDocument:
    """What GET on this record's feed URL returns (AGING: the person's whole export in one page)."""
    agency = record.agency
    if agency == "DHS":
        value: dict | str = render_dhs_cases(person, record, day, start_date)
    elif agency == "HFS":
        value = render_coverage_bundle(person, record, day, start_date, base_url, record.record_id)
    elif agency == "AGING":
        rows = aging_rows(person, record, day, start_date)
        value = export_page(rows, 1, max(100, min(MAX_PAGE_SIZE, len(rows))), len(rows), day, start_date)
    elif agency == "DCEO":
        value = render_applicant(person, record, day, start_date)
    else:
        value = render_dec_cases(person, record, day, start_date, person.person_id)
    return FeedDocument(agency, value)
