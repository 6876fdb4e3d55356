"""Documents printed from stored data, and case packets (ケース記録一式).

Each printout is cut for its reader through the consent gate before it is rendered by
:mod:`hub.documents.render` (the hearing sheet, the 相談先のご案内 handout) or assembled by
:mod:`hub.documents.packet` (a case packet for one recipient department). What comes from the
mailbox (the policy, the exchanges, feedback, requests) is added by ``hub.mailbox.packets``
through the signals in :mod:`.signals`, because this package never imports the mailbox.
"""
