"""What the mailbox adds to a case packet, asked through signals (documents never imports it).

``hub.mailbox.packets`` connects to each when it is imported (the app factory and
``hub.app.load_models`` import it):

- ``packet_parts``: sender the :class:`~.parts.Scope`; kwargs ``session``. A receiver returns
  the :class:`~.parts.MailParts` of the case's exchanges that the scope may hold.
- ``packet_sources``: sender the :class:`~.models.PacketJob`; kwargs ``session``, ``user``,
  ``day``. A receiver returns why a received message in the packet may no longer be read
  (Japanese), or None.
- ``packet_share``: sender the job; kwargs ``session``, ``user``, ``stored`` (the packet's
  StoredFile), ``day``. The receiver sends the packet to its recipient as a mailbox share
  (consent-checked, recalled like any share) and returns the message's id; it raises the
  mailbox's refusal when the consent does not cover it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

packet_parts = _signals.signal("packet-parts")
packet_sources = _signals.signal("packet-sources")
packet_share = _signals.signal("packet-share")


def answers(signal, sender, **kwargs) -> list:
    """Every connected receiver's answer; a signal nobody listens to is a wiring bug."""
    if not signal.receivers:
        raise RuntimeError(f"nothing answers {signal.name}: hub.mailbox.packets not loaded")
    return [answer for _receiver, answer in signal.send(sender, **kwargs)]
