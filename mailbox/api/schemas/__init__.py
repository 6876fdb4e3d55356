"""The mailbox API's contracts, one module per concern like the routes: what each route reads
and answers, one model per contract, used to parse the request, serialise the answer and
generate the OpenAPI document; nothing is written twice. ``pieces`` holds what they share,
``receipts`` the receipts several answers carry.
"""

from hub.mailbox.api.schemas.cases import (
    CaseSharingRequestInput,
    OptionsQuery,
    RecipientOption,
    RecipientOptions,
    Timeline,
    TimelineItem,
)
from hub.mailbox.api.schemas.lists import (
    InboxItem,
    InboxList,
    InboxPage,
    InboxQuery,
    InboxSearch,
    MailboxCounts,
    OutgoingItem,
    OutgoingList,
    SentItem,
    SentPage,
    SentQuery,
    UnopenedQuery,
)
from hub.mailbox.api.schemas.messages import (
    KeyHeader,
    MessageDocumentOut,
    MessageInput,
    MessageOut,
    MessageView,
    SendConflict,
    with_key,
)
from hub.mailbox.api.schemas.notifications import (
    NotificationList,
    NotificationOut,
    NotificationReadInput,
    NotificationsRead,
)
from hub.mailbox.api.schemas.pieces import NoQuery
from hub.mailbox.api.schemas.receipts import OwnDelivery
from hub.mailbox.api.schemas.work import (
    AcknowledgeInput,
    ApprovalInput,
    DeclineInput,
    FeedbackInput,
    ReturnInput,
    TriageInput,
)

__all__ = [
    "AcknowledgeInput",
    "ApprovalInput",
    "CaseSharingRequestInput",
    "DeclineInput",
    "FeedbackInput",
    "InboxItem",
    "InboxList",
    "InboxPage",
    "InboxQuery",
    "InboxSearch",
    "KeyHeader",
    "MailboxCounts",
    "MessageDocumentOut",
    "MessageInput",
    "MessageOut",
    "MessageView",
    "NoQuery",
    "NotificationList",
    "NotificationOut",
    "NotificationReadInput",
    "NotificationsRead",
    "OptionsQuery",
    "OutgoingItem",
    "OutgoingList",
    "OwnDelivery",
    "RecipientOption",
    "RecipientOptions",
    "ReturnInput",
    "SendConflict",
    "SentItem",
    "SentPage",
    "SentQuery",
    "Timeline",
    "TimelineItem",
    "TriageInput",
    "UnopenedQuery",
    "with_key",
]
