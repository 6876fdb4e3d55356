"""Hearing sheets, criteria, consent forms, feedback and Word/PDF rendering (hub.documents)."""
