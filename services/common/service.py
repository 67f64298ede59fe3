"""What every Itinera service has: a database, a correlation id per worker, health, an outbox
relay, and pruning of the kernel's tables (pruning.py)."""
import logging

from nameko.extensions import DependencyProvider
from nameko.timer import timer

from . import pruning
from .entrypoints import rpc
from .logs import correlation_id, new_correlation_id

log = logging.getLogger(__name__)


class RequestContext(DependencyProvider):
    """Gives every worker a correlation id (the caller's, or a new one) for its logs and calls."""

    def worker_setup(self, worker_ctx):
        cid = worker_ctx.data.get("correlation_id") or new_correlation_id()
        worker_ctx.data["correlation_id"] = cid
        correlation_id.set(cid)

    def worker_teardown(self, worker_ctx):
        correlation_id.set(None)


class ServiceBase:
    """The base of every Itinera service. Subclasses set `name` and
    `uow = Database(Base.metadata, migrations=...)`: each worker then sees `self.uow`, its unit
    of work (unit_of_work.py)."""

    name: str
    uow = None  # a services.common.unit_of_work.Database, declared by each service
    context = RequestContext()

    @rpc
    def health(self) -> dict:
        return {"service": self.name, **self.uow.database.health()}

    @timer(interval=1)
    def relay_outbox(self):
        database = self.uow.database
        database.publisher.relay_once(database)

    @pruning.configured_timer("PRUNE_INTERVAL_SECONDS", 3600)
    def prune_kernel_tables(self):
        database = self.uow.database
        pruning.prune(database, pruning.Retention.from_config(database.container.config))
        database.refresh_statistics()
