"""The running scenario: the change calendar, advancing days, the change log and signed delivery to the hub."""
