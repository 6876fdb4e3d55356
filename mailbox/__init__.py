"""Consent gate, department inboxes, sharing, receipts and recall (hub.mailbox).

Installed as ``hub.mailbox`` (see pyproject.toml): a top-level ``mailbox`` would shadow the
standard library module of that name.
"""
