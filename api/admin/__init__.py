"""The admin API for support staff: resident lookup and views, fixes, and the audit log; every call audited."""
