"""SOAP 1.1 and 1.2 envelopes around OTA messages: taking the RQ out, putting the RS in, a Fault."""
import re
from xml.sax.saxutils import escape

from .message import AVAIL, ERR_UNABLE_TO_PROCESS, EWT_PROCESSING_EXCEPTION, INV_COUNT, OtaError, Problem, local_name

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP_VERSION = {SOAP11: "1.1", SOAP12: "1.2"}
SOAP12_TYPE = "application/soap+xml"
# The answer's Content-Type: the RQ's envelope version decides (SOAP 1.1 is text/xml, 1.2 its own).
CONTENT_TYPE = {None: "application/xml", "1.1": "text/xml; charset=utf-8",
                "1.2": f"{SOAP12_TYPE}; charset=utf-8"}


def soap_of(content_type: str | None) -> str | None:
    """The SOAP version a Content-Type announces: only application/soap+xml says one (1.2)."""
    return "1.2" if (content_type or "").split(";")[0].strip().lower() == SOAP12_TYPE else None


def _soap_fault(version: str, text: str) -> OtaError:
    return OtaError(400, [Problem(EWT_PROCESSING_EXCEPTION, ERR_UNABLE_TO_PROCESS, text)], soap=version,
                    fault=True)


def unwrap(root, announced: str | None = None) -> tuple:
    """(the OTA element, the SOAP version or None): the one element in a SOAP Body, or root itself.

    SOAP headers (WS-Security, WS-Addressing...) are not read, even marked mustUnderstand: the
    API key authenticates, and refusing them would refuse what channel managers send.
    """
    namespace, name = local_name(root.tag)
    if name != "Envelope":
        if announced:
            raise _soap_fault(announced, f"{SOAP12_TYPE} carries a SOAP 1.2 Envelope ({SOAP12}), not {name}.")
        return root, None
    version = SOAP_VERSION.get(namespace)
    if version is None:
        raise _soap_fault(announced or "1.1", f"An Envelope in namespace {namespace or '(none)'} is no SOAP "
                                              f"envelope we know: use {SOAP11} (SOAP 1.1) or {SOAP12} (SOAP 1.2).")
    bodies = [child for child in root if child.tag == f"{{{namespace}}}Body"]
    if len(bodies) != 1:
        raise _soap_fault(version, "The SOAP Envelope must have exactly one Body.")
    inside = [child for child in bodies[0] if isinstance(child.tag, str)]
    if len(inside) != 1:
        raise _soap_fault(version, f"The SOAP Body must hold exactly one {INV_COUNT} or {AVAIL}, "
                                   f"not {len(inside)} elements.")
    return inside[0], version


DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


def enveloped(rs: str, soap: str | None) -> str:
    """The RS as it goes back: bare, or in a Body of the RQ's SOAP version."""
    if soap is None:
        return rs
    namespace = SOAP11 if soap == "1.1" else SOAP12
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<soap:Envelope xmlns:soap="{namespace}"><soap:Body>\n{DECLARATION.sub("", rs)}'
            '</soap:Body></soap:Envelope>\n')


def soap_fault(soap: str, reason: str, *, sender: bool = True) -> str:
    """A SOAP Fault of that version: the sender's fault (Client / Sender) or ours (Server / Receiver)."""
    if soap == "1.1":
        body = (f"<soap:Fault><faultcode>soap:{'Client' if sender else 'Server'}</faultcode>"
                f"<faultstring>{escape(reason)}</faultstring></soap:Fault>")
        namespace = SOAP11
    else:
        body = (f"<soap:Fault><soap:Code><soap:Value>soap:{'Sender' if sender else 'Receiver'}</soap:Value>"
                f'</soap:Code><soap:Reason><soap:Text xml:lang="en">{escape(reason)}</soap:Text></soap:Reason>'
                "</soap:Fault>")
        namespace = SOAP12
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="{namespace}"><soap:Body>'
            f"{body}</soap:Body></soap:Envelope>\n")
