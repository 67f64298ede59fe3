"""Optimistic concurrency for edits: an ETag is a digest of what a read returned, and a change sent
with If-Match is refused (412) when the record no longer reads the same, so two clerks editing at
once do not silently overwrite each other. The service checks inside the transaction that makes
the change; the gateway only computes the header from the same representation."""
import hashlib
import json

from .errors import PreconditionFailed
from .serialization import to_plain


def etag_of(representation) -> str:
    canonical = json.dumps(to_plain(representation), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return '"' + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32] + '"'


def matches(if_match: str, *representations) -> bool:
    """If-Match is `*` or a comma-separated list of ETags (a weak W/ prefix is ignored)."""
    wanted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    return "*" in wanted or any(etag_of(rep) in wanted for rep in representations)


def check_if_match(if_match: str | None, *representations) -> None:
    """Raise PreconditionFailed unless If-Match is absent or names one of the current
    representations (a record may read in more than one form, e.g. documents masked or not)."""
    if if_match is not None and not matches(if_match, *representations):
        raise PreconditionFailed(
            "It was changed since you read it: read it again, and repeat your change if it still applies.",
            {"etag": etag_of(representations[0])} if representations else None)
