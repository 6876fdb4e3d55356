"""Consents (同意): who may share which information about a resident with whom, and until when.

A consent belongs to a resident, is taken by a department on a signed form, and grants a set
of ``sender → recipient`` pairs per information category. :func:`gate.covers` is the one
question everything else asks of it.
"""
