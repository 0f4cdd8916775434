"""Fresh planner statistics before a run whose every statement depends on them (PostgreSQL; elsewhere nothing).

A reconciliation asks a thousand ids at a time of ``resident_links`` and ``benefit_sources``. With no statistics
(a table filled in bulk, by a link import or a first run, before autovacuum analyzed it, or on a server where
autovacuum is off) the planner takes a table of 433,774 links for a few hundred rows and answers a page's
``record_id IN (…)`` by reading every link of the agency, twice: 300 ms a page at 433,774 links, so a run's
time grew with the square of its size (1,244 records/s at 1,000,000 generated residents against 1,921 at
200,000, on the same machine). Analyzed, the same statement is 2,000 index look-ups, 16 ms.

A table is analyzed when autovacuum would analyze it (with PostgreSQL's default thresholds: more than 50 + 10 % of
its rows changed since the last analysis) or when it never was. ANALYZE reads a fixed sample (300 × the statistics
target rows), so it costs well under a second however large the table; it takes a lock that blocks neither
reads nor writes. A role that may not analyze a table gets a warning from PostgreSQL, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection

_STALE = text(
    "SELECT s.relname FROM pg_stat_user_tables AS s JOIN pg_class AS c ON c.oid = s.relid"
    " WHERE s.relid = ANY(CAST(:tables AS regclass[]))"
    " AND (coalesce(s.last_analyze, s.last_autoanalyze) IS NULL"
    " OR s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0))"
    " ORDER BY s.relname"
)


def analyze_stale(connection: Connection, tables: Iterable[str]) -> list[str]:
    """ANALYZE those of ``tables`` whose statistics are missing or behind (see the module's text); → their names."""
    if connection.dialect.name != "postgresql":
        return []
    stale = list(connection.scalars(_STALE, {"tables": list(tables)}))
    for table in stale:
        connection.execute(text(f'ANALYZE "{table}"'))
    return stale
