"""OpenTravel (OTA 2003B+) inventory messages: OTA_HotelInvCountNotifRQ and OTA_HotelAvailNotifRQ,
the format suppliers (channel managers) push inventory in. Plain functions, no database:

- reading: `decode_body(raw, charset)`, the request bytes as text (Content-Type charset, BOM, XML
  declaration); `parse(xml_text)`, a safe parse (defusedxml: no DTD, no entities, no external
  references) into an `OtaMessage` whose elements carry the fields of the updates ticketing applies,
  or an `OtaError` (HTTP status, OTA error type and code) when the message cannot be taken as a whole;
- answering: `success_rs`, `errors_rs`, `error_rs`, `repeated_rs` (the matching RS, or OTA_ErrorRS),
  `result_warnings` (what a push result did not apply, as Warnings), `answer` / `error_answer` (what
  the gateway sends back);
- soap: a SOAP 1.1 or 1.2 envelope taken off the RQ (`unwrap`) and put around the RS (`enveloped`),
  or a SOAP Fault;
- message: the names, the OpenTravel code lists, `Problem`, `OtaError`, `OtaMessage`.

Applying a message (authenticate, coalesce its elements into updates, apply, announce, keep the
answer for a re-sent EchoToken) is ticketing's: services/ticketing/ota_receiving.py.

What maps to what (anything else is reported back as a Warning and not applied):

| OTA | Itinera update |
| --- | --- |
| StatusApplicationControl InvTypeCode (or InvCode) | product_code (the supplier's code of our product) |
| StatusApplicationControl Start / End | start / end (inclusive) |
| StatusApplicationControl Mon Tue Weds Thur Fri Sat Sun | weekdays (1 = Monday ... 7 = Sunday) |
| InvCount Count, CountType 2 (or none): rooms left to sell | available (capacity = it + booked + held) |
| InvCount Count, CountType 1: physical | capacity (a ceiling beside a CountType 2) |
| AvailStatusMessage BookingLimit (SetLimit or no type) | capacity |
| RestrictionStatus Status Close / Open, Restriction Master or none | stop_sell true / false |
| the RQ's TimeStamp, in Unix milliseconds | sequence |
| the RQ's EchoToken | message_id (and the key of the message log) |
"""
from .message import (  # noqa: F401
    NS, INV_COUNT, AVAIL, RS_OF, ERROR_RS, MAX_ELEMENTS, MAX_TOKEN, MAX_ERRORS, EWT_UNKNOWN,
    EWT_NO_IMPLEMENTATION, EWT_BIZ_RULE, EWT_AUTHENTICATION, EWT_REQUIRED_FIELD_MISSING, EWT_ADVISORY,
    EWT_PROCESSING_EXCEPTION, ERR_INVALID_DATE, ERR_INVALID_VALUE, ERR_REQUIRED_FIELD_MISSING,
    ERR_INVALID_ROOM_TYPE, ERR_UNABLE_TO_PROCESS, ERR_AUTHORIZATION, Problem, OtaError, Element,
    OtaMessage, local_name, children, child,
)
from .soap import (  # noqa: F401
    SOAP11, SOAP12, SOAP_VERSION, SOAP12_TYPE, CONTENT_TYPE, soap_of, unwrap, DECLARATION, enveloped,
    soap_fault,
)
from .reading import (  # noqa: F401
    WEEKDAY_ATTRIBUTES, TRUE, FALSE, PHYSICAL, DEFINITE_AVAILABILITY, COUNT_TYPES, decode_body, parse,
    timestamp_ms, weekdays_from_flags, inv_counts,
)
from .answering import (  # noqa: F401
    success_rs, errors_rs, error_rs, repeated_rs, result_warnings, answer, error_answer,
)
