"""Funding: programmes, allocation, top-ups and the ledger."""
