"""Pooled nameko RPC clients for the gateway.

Each client keeps its AMQP connection and reply queue open, so a request costs one round trip,
not a new connection. A client is used by one request at a time; the pool grows on demand up
to its size and blocks beyond that. A client that timed out or lost its connection is thrown
away, because a late reply could otherwise be read as the answer to the next call.
"""
import logging
import queue
import threading
from contextlib import contextmanager

from nameko.exceptions import RpcTimeout
from nameko.standalone.rpc import ClusterRpcProxy

log = logging.getLogger(__name__)


class RpcPool:
    def __init__(self, nameko_config: dict, size: int = 16, timeout: float = 10.0):
        self.config = nameko_config
        self.size = size
        self.timeout = timeout
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()

    def _new_client(self):
        client = ClusterRpcProxy(self.config, timeout=self.timeout, context_data={})
        return client, client.start()

    def _take(self):
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            may_create = self._created < self.size
            if may_create:
                self._created += 1
        if may_create:
            try:
                return self._new_client()
            except Exception:
                with self._lock:
                    self._created -= 1
                raise
        return self._idle.get(timeout=self.timeout)

    def _discard(self, entry):
        with self._lock:
            self._created -= 1
        try:
            entry[0].stop()
        except Exception:  # the connection may already be gone
            log.debug("closing a broken RPC client failed", exc_info=True)

    @contextmanager
    def client(self, context_data: dict):
        """Borrow a cluster proxy whose calls carry context_data (correlation id, actor)."""
        entry = self._take()
        owner, proxy = entry
        owner._worker_ctx.data.clear()
        owner._worker_ctx.data.update(context_data)
        try:
            yield proxy
        except (RpcTimeout, OSError, ConnectionError):
            self._discard(entry)
            raise
        except BaseException:
            self._idle.put(entry)
            raise
        else:
            self._idle.put(entry)

    def close(self):
        while True:
            try:
                entry = self._idle.get_nowait()
            except queue.Empty:
                return
            self._discard(entry)
