"""Remote errors only contracts raises, registered so a caller that imports this wire re-raises
them typed. Each is a kernel error too (the gateway answers 409 as for any Conflict).

Contracts also raises the kernel's own: NotFound (order file, version, payment, invoice, refund,
statement line), Forbidden (approving a refund beyond the approver's limit, overriding the document
check without being a manager), Conflict (paying a cancelled order file, into a closed day, more
than is owed; changing what is signed or issued) and ValidationFailed with per-field messages.
"""
from services.common.errors import Conflict, remote_error

__all__ = ["SigningBlocked"]


@remote_error
class SigningBlocked(Conflict):
    """The contract cannot be signed yet. details: `missing`, each {field, message} and, for a
    traveller, customer_id and full_name; for an amendment, the suppliers still to confirm it."""
