"""Hearing sheets, criteria rules, consent forms, feedback and Word/PDF rendering (hub.documents)."""
