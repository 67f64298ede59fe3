"""The ticketing service with one of the kernel's guarantees switched off, to price it. Bench only.

`nameko run --config deploy/nameko.yml bench.kernel_costs:TicketingService` with
BENCH_KERNEL_VARIANT set to one of VARIANTS. The rows it makes are POST /holds beside the same
row with the kernel as it is, so the difference is what that guarantee costs a hold:

- "no confirms": replies and outbox events are published without waiting for the broker's
  confirm. A reply or event the broker then loses is lost (the outbox row is marked published all
  the same), which is why the kernel waits.
- "no marking": after the commit the events are published but their outbox rows are not marked
  published in a second transaction. The relay's grace is raised so it does not send them again
  during the row; in a real service they would all be re-sent (at least once), which is why the
  kernel marks them. It prices the second write transaction, the ceiling of what a deferred or
  batched marking could win.
- "neither": both.

Nothing here is imported by a service; the patches apply only in the process this module runs in.
"""
import os

from nameko.amqp.publish import Publisher

from services.common import outbox
from services.ticketing.service import TicketingService  # noqa: F401  (what `nameko run` starts)

VARIANTS = ("as is", "no confirms", "no marking", "neither")
VARIANT = os.environ.get("BENCH_KERNEL_VARIANT")  # unset: nothing patched (the bench reads VARIANTS)
if VARIANT is not None and VARIANT not in VARIANTS:
    raise SystemExit(f"BENCH_KERNEL_VARIANT must be one of {VARIANTS}, not {VARIANT!r}")

if VARIANT in ("no confirms", "neither"):
    # Replies: entrypoints.RpcConsumer.reply builds a Publisher with the class default.
    Publisher.use_confirms = False
    _outbox_init = outbox.OutboxPublisher.__init__

    def _without_confirms(self, nameko_config):
        _outbox_init(self, nameko_config)
        self._publisher.use_confirms = False

    outbox.OutboxPublisher.__init__ = _without_confirms

if VARIANT in ("no marking", "neither"):
    outbox.OutboxPublisher._mark_published = lambda self, database, ids: None
