"""The few real program rules the stories follow, in one place so the numbers are not scattered."""

from __future__ import annotations

# SNAP and cash benefits are issued on a day of the month fixed by the last digit of the case number.
ISSUANCE_DAY_BY_LAST_DIGIT = {1: 1, 2: 3, 3: 4, 4: 7, 5: 8, 6: 11, 7: 14, 8: 17, 9: 19, 0: 21}
CERTIFICATION_DAYS = 365  # 12-month certification periods
SNAP_RECERT_PACKET_LEAD_DAYS = 45  # redetermination form mailed before the period ends
MEDICAID_RENEWAL_PACKET_LEAD_DAYS = 60  # renewal packet mailed about 60 days before the due date
INTERVIEW_NOTICE_LEAD_DAYS = 8  # interview scheduled about a week after the application
MISSED_INTERVIEW_DENIAL_DAYS = 30  # no interview by day 30 of the application → denied
DOCUMENT_DUE_DAYS = 10  # verification checklist: 10 days to return documents
CCP_REASSESSMENT_NOTICE_DAYS = 21  # in-home reassessment scheduled three weeks ahead


def issuance_day(case_number: str) -> int:
    return ISSUANCE_DAY_BY_LAST_DIGIT[int(case_number[-1])]


# Discovery thresholds the sandbox's ground truth uses (``simulator/people/ground_truth.py``), from the programs'
# own rules, written here independently of the hub's nudge rules.
WIC_CHILD_AGE_LIMIT_YEARS = 5  # WIC serves children until their fifth birthday
BENEFIT_ACCESS_AGE_YEARS = 65  # Illinois Benefit Access: 65 and older (or disabled, which the sandbox does not model)
LIHEAP_SEASON = ((10, 1), (5, 31))  # Illinois LIHEAP takes applications from October 1 to May 31
RENEWAL_AT_RISK_DAYS = 14  # a renewal packet out, not returned, due within two weeks: coverage is at risk
DOCUMENT_DUE_SOON_DAYS = 7  # a requested document not yet received, due within a week
