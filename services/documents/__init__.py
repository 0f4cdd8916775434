"""Documents a resident sends for an agency's document request: content checks, encrypted storage, the upload
and its receipt, forwarding to the platform's intake and the agency's decision."""
