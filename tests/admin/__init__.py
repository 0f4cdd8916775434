"""The admin API: roles, reasons, break-glass, audit of every call, and the resident's access log."""
