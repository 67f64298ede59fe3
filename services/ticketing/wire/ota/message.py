"""The parts of an OTA message and of its answer: names, OpenTravel code lists, what a message maps to."""
from dataclasses import dataclass, field
from datetime import date

NS = "http://www.opentravel.org/OTA/2003/05"

INV_COUNT = "OTA_HotelInvCountNotifRQ"
AVAIL = "OTA_HotelAvailNotifRQ"
RS_OF = {INV_COUNT: "OTA_HotelInvCountNotifRS", AVAIL: "OTA_HotelAvailNotifRS"}
ERROR_RS = "OTA_ErrorRS"

MAX_ELEMENTS = 5000       # as many as a JSON push may carry
MAX_TOKEN = 120           # EchoToken: kept as the change log's source message
MAX_ERRORS = 50           # errors listed in one answer

# OpenTravel code list EWT (error and warning type).
EWT_UNKNOWN, EWT_NO_IMPLEMENTATION, EWT_BIZ_RULE, EWT_AUTHENTICATION = "1", "2", "3", "4"
EWT_REQUIRED_FIELD_MISSING, EWT_ADVISORY, EWT_PROCESSING_EXCEPTION = "10", "11", "12"
# OpenTravel code list ERR (error codes).
ERR_INVALID_DATE, ERR_INVALID_VALUE, ERR_REQUIRED_FIELD_MISSING = "15", "320", "321"
ERR_INVALID_ROOM_TYPE, ERR_UNABLE_TO_PROCESS, ERR_AUTHORIZATION = "402", "450", "497"


@dataclass
class Problem:
    """One Error or Warning of the answer."""

    type: str
    code: str | None
    text: str
    record: str | None = None   # RecordID: the element's position in the message, from 1
    tag: str | None = None      # the element or attribute concerned, XPath-like

    def as_dict(self) -> dict:
        return {k: v for k, v in (("type", self.type), ("code", self.code), ("text", self.text),
                                  ("record", self.record), ("tag", self.tag)) if v is not None}


class OtaError(Exception):
    """The message cannot be taken as a whole: nothing of it is applied."""

    def __init__(self, status: int, problems: list[Problem], message: "OtaMessage | None" = None, *,
                 soap: str | None = None, fault: bool = False):
        super().__init__("; ".join(p.text for p in problems))
        self.status = status
        self.problems = problems
        self.message = message
        self.soap = soap if soap is not None or message is None else message.soap
        self.fault = fault   # the SOAP envelope itself is wrong: answered with a SOAP Fault


@dataclass
class Element:
    """One Inventory (InvCountNotif) or AvailStatusMessage (AvailNotif), mapped."""

    number: int                     # position in the message, from 1 (RecordID)
    product_code: str
    start: date
    end: date
    weekdays: list[int] | None      # None: every day
    fields: dict                    # capacity and/or stop_sell: what is to be applied
    notes: list[Problem] = field(default_factory=list)  # what was not applied, and why


@dataclass
class OtaMessage:
    root: str                       # INV_COUNT or AVAIL
    namespaced: bool
    echo_token: str | None
    version: str | None
    timestamp: str
    target: str | None
    sequence: int                   # TimeStamp in Unix milliseconds
    elements: list[Element]
    soap: str | None = None         # "1.1" or "1.2" when it came in a SOAP envelope

    @property
    def rs(self) -> str:
        return RS_OF[self.root]

    @property
    def product_codes(self) -> list[str]:
        return list(dict.fromkeys(e.product_code for e in self.elements))

    @property
    def notes(self) -> list[Problem]:
        return [note for element in self.elements for note in element.notes]


def local_name(tag: str) -> tuple[str | None, str]:
    """(namespace, name) of an ElementTree tag such as {namespace}name."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def children(parent, name: str) -> list:
    return [node for node in parent if isinstance(node.tag, str) and local_name(node.tag)[1] == name]


def child(parent, name: str):
    found = children(parent, name)
    return found[0] if found else None
