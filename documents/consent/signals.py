"""Signals other packages listen to, so documents need not import them (hub.mailbox recalls).

``consent_ended`` is sent, inside the transaction that changes the consent, when a consent
stops covering anything from a day on: withdrawn, or marked expired. Receivers get the
session, the consent and the day, and write in the same transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the Consent; kwargs: session, day, reason (Japanese, no personal data).
consent_ended = _signals.signal("consent-ended")
