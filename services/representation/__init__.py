"""Authorized representatives: invitations, designations (both origins), recording them with agencies, ending them."""
