"""Interview times, booking and the calendar file for the resident's interview actions."""
