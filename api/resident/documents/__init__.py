"""The resident's uploads for document actions: receipts, status and the file."""
