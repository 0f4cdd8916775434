"""The signed-in resident: profile and identity status, sessions per device, consent per agency, record links."""
