"""Answering: the matching RS (Success, Warnings, Errors) or OTA_ErrorRS, in the RQ's envelope."""
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import defusedxml.ElementTree as SafeET

from .message import (ERR_INVALID_DATE, ERR_INVALID_ROOM_TYPE, ERR_INVALID_VALUE, ERR_UNABLE_TO_PROCESS, ERROR_RS,
                      EWT_ADVISORY, EWT_BIZ_RULE, NS, OtaError, OtaMessage, Problem, local_name)
from .soap import CONTENT_TYPE, enveloped, soap_fault


def _rs(name: str, attributes: dict) -> ET.Element:
    # ElementTree cannot write a default namespace with plain attribute names: set xmlns itself.
    root = ET.Element(name, {"xmlns": NS})
    for key, value in attributes.items():
        if value is not None:
            root.set(key, value)
    return root


def _echo(message: OtaMessage | None) -> dict:
    """The RQ's EchoToken, TimeStamp, Target and Version, echoed in the RS."""
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if message is None:
        return {"TimeStamp": now, "Version": "1.0"}
    return {"EchoToken": message.echo_token, "TimeStamp": message.timestamp or now, "Target": message.target,
            "Version": message.version or "1.0"}


def _problems(parent: ET.Element, container: str, item: str, problems: list[Problem]):
    holder = ET.SubElement(parent, container)
    for problem in problems:
        node = ET.SubElement(holder, item, {"Type": problem.type})
        if problem.code:
            node.set("Code", problem.code)
        if problem.record:
            node.set("RecordID", problem.record)
        if problem.tag:
            node.set("Tag", problem.tag)
        node.text = problem.text


def _text(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def success_rs(message: OtaMessage, warnings: list[Problem]) -> str:
    root = _rs(message.rs, _echo(message))
    ET.SubElement(root, "Success")
    if warnings:
        _problems(root, "Warnings", "Warning", warnings)
    return _text(root)


def errors_rs(message: OtaMessage | None, problems: list[Problem], name: str | None = None) -> str:
    root = _rs(name or (message.rs if message else ERROR_RS), _echo(message))
    if root.tag == ERROR_RS:
        root.set("Status", "NotProcessed")
    _problems(root, "Errors", "Error", problems)
    return _text(root)


def error_rs(error: OtaError) -> str:
    """The answer to an OtaError: the matching RS when the root was recognised, else OTA_ErrorRS."""
    return errors_rs(error.message, error.problems)


def repeated_rs(first_rs: str, echo_token: str, received_at: datetime) -> str:
    """The first answer to a message, marked as a repeat: an advisory Warning says so.

    Not byte-identical: a sender must be able to tell "applied now" from "applied before".
    """
    root = SafeET.fromstring(first_rs, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    warnings = root.find(f"{{{NS}}}Warnings")
    if warnings is None:
        warnings = ET.Element(f"{{{NS}}}Warnings")
        success = root.find(f"{{{NS}}}Success")
        root.insert(list(root).index(success) + 1 if success is not None else 0, warnings)
    at = received_at.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    repeat = ET.SubElement(warnings, f"{{{NS}}}Warning", {"Type": EWT_ADVISORY, "Tag": "EchoToken"})
    repeat.text = (f"EchoToken {echo_token} was already processed at {at}: this is its first answer again; "
                   "nothing of this message was applied now.")
    for node in root.iter():   # back to plain names under a default namespace, as _rs writes them
        node.tag = local_name(node.tag)[1]
        node.text = node.text if node.text is None or node.text.strip() else None
        node.tail = None
    root.set("xmlns", NS)
    return _text(root)


def result_warnings(results: list[dict], origins: list[list[int]]) -> list[Problem]:
    """Warnings for what apply_batch did not (fully) apply: rejected, stale, dates without allotment."""
    warnings = []
    for result in results:
        record = ",".join(map(str, origins[result["index"]]))
        label = f"{'Elements' if ',' in record else 'Element'} {record}"
        product = result.get("product_code")
        span = f" ({product})" if product else ""
        status = result["status"]
        if status == "rejected" and result.get("reason") == "no_allotment":
            warnings.append(_no_allotment(label, span, result, record))
        elif status == "rejected":
            reason = result.get("reason")
            code = {"past_dates": ERR_INVALID_DATE, "unknown_product": ERR_INVALID_ROOM_TYPE,
                    "invalid": ERR_INVALID_VALUE}.get(reason, ERR_UNABLE_TO_PROCESS)
            detail = result.get("detail") or _flatten(result.get("errors")) or reason
            warnings.append(Problem(EWT_BIZ_RULE, code, f"{label}{span} not applied: {detail}", record))
        elif status == "ignored_stale":
            warnings.append(Problem(EWT_ADVISORY, None, f"{label}{span} ignored: every date already has a change "
                                                        "with this TimeStamp or a later one.", record))
        else:
            if result.get("stale_days"):
                warnings.append(Problem(EWT_ADVISORY, None, f"{label}{span}: {result['stale_days']} date(s) "
                                                            "ignored, they already have a change with this "
                                                            "TimeStamp or a later one.", record))
            if result.get("missing_days"):
                warnings.append(_no_allotment(label, span, result, record))
    return warnings


def _no_allotment(label, span, result, record) -> Problem:
    return Problem(EWT_BIZ_RULE, ERR_UNABLE_TO_PROCESS, f"{label}{span}: no allotment yet on "
                                                        f"{', '.join(result.get('missing_days') or [])}; "
                                                        "ask us to open these dates.", record)


def _flatten(errors) -> str:
    if not errors:
        return ""
    if isinstance(errors, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in errors.items())
    if isinstance(errors, list):
        return " ".join(_flatten(item) for item in errors)
    return str(errors)


def answer(status: int, rs: str, soap: str | None) -> dict:
    """What the gateway sends back: {"status", "xml", "content_type"}."""
    return {"status": status, "xml": enveloped(rs, soap), "content_type": CONTENT_TYPE[soap]}


def error_answer(error: OtaError) -> dict:
    # A broken envelope gets a SOAP Fault, with 400 for both versions: SOAP 1.1 would send 500,
    # but the fault is the sender's, and here a 500 means a bug of ours.
    if error.fault and error.soap:
        return {"status": error.status, "xml": soap_fault(error.soap, "; ".join(p.text for p in error.problems)),
                "content_type": CONTENT_TYPE[error.soap]}
    return answer(error.status, error_rs(error), error.soap)
