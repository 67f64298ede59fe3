"""Pooled nameko RPC clients for the gateway.

Each client keeps its AMQP connection and reply queue open, so a request costs one round trip,
not a new connection. A client is used by one request at a time; the pool grows on demand up
to its size and blocks beyond that. A client that timed out or lost its connection is thrown
away, because a late reply could otherwise be read as the answer to the next call.

Every call carries its deadline (context `deadline`, and the AMQP `expiration` equal to its
timeout, so the broker drops a request nobody waits for), and, while serving a command, its
request id (context `request_id`): see services/common/commands.py. A call made for an HTTP
request waits at most until that request's own deadline (GATEWAY_REQUEST_TIMEOUT): its timeout
is min(the pool's timeout, the time the request has left), so no RPC of a request can run
after the request's deadline, which is what lets gateway.idempotency take over a claim left
by a gateway that died mid-request.
"""
import logging
import queue
import threading
import time
from contextlib import contextmanager

from nameko.amqp.publish import Publisher
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import MethodProxy, ServiceProxy
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy

from services.common.commands import DEADLINE, REQUEST_ID
from services.common.entrypoints import BROKER_ERRORS

log = logging.getLogger(__name__)


class DeadlinePassed(RpcTimeout):
    """The HTTP request's deadline passed before this call was sent: nothing was sent (504)."""


class BrokerUnavailable(Exception):
    """The message broker cannot be reached: no RPC can be sent or answered now (503)."""


class FailFastPublisher(Publisher):
    """A caller waits at most a second for a broker that is gone, not nameko's ~9 s of retries:
    the gateway answers 503 and the client retries later."""

    transport_options = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
    retry_policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


class RequestIds:
    """The request ids of one HTTP request's commands: the first call of a method gets the base
    id, the n-th `<base>/<n>`. A repeat of the HTTP request (the client again with its
    Idempotency-Key) makes the same calls in the same order, so it reaches the same recorded
    outcomes; two calls of one method never share an id. A call that got no answer (timeout,
    broker or service unavailable) gives its id back: retried, it is the same command."""

    def __init__(self, base: str):
        self.base = base
        self._calls: dict[str, int] = {}

    def next(self, method: str) -> str:
        n = self._calls[method] = self._calls.get(method, 0) + 1
        return self.base if n == 1 else f"{self.base}/{n}"

    def unanswered(self, method: str):
        self._calls[method] -= 1


class _MethodProxy(MethodProxy):
    publisher_cls = FailFastPublisher

    def __init__(self, client, worker_ctx, service_name, method_name, reply_listener):
        self.client = client
        super().__init__(worker_ctx, service_name, method_name, reply_listener)

    def __call__(self, *args, **kwargs):
        timeout = self.client.time_left()  # raises DeadlinePassed before anything is sent
        # The broker drops the request, the service refuses it and we stop waiting at one moment.
        self.publisher.expiration = timeout
        self.reply_listener.queue_consumer.timeout = timeout
        self.worker_ctx.data[DEADLINE] = repr(time.time() + timeout)
        try:
            return self._answer(self._call(*args, **kwargs))
        except (RpcTimeout, UnknownService, BrokerUnavailable):
            if self.client.request_ids is not None:
                self.client.request_ids.unanswered(f"{self.service_name}.{self.method_name}")
            raise

    @staticmethod
    def _answer(reply):
        try:
            return reply.result()
        except RuntimeError as exc:  # the reply consumer was disconnected (raised locally, never remote)
            raise BrokerUnavailable(str(exc)) from exc
        except BROKER_ERRORS as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def _call(self, *args, **kwargs):
        data = self.worker_ctx.data
        ids = self.client.request_ids
        if ids is not None:
            data[REQUEST_ID] = ids.next(f"{self.service_name}.{self.method_name}")
        else:
            data.pop(REQUEST_ID, None)
        try:
            return super()._call(*args, **kwargs)
        except BROKER_ERRORS as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc


class _ServiceProxy(ServiceProxy):
    def __init__(self, client, worker_ctx, service_name, reply_listener):
        self.client = client
        super().__init__(worker_ctx, service_name, reply_listener)

    def __getattr__(self, name):
        return _MethodProxy(self.client, self.worker_ctx, self.service_name, name, self.reply_listener)


class _ClusterProxy(ClusterProxy):
    def __init__(self, client, worker_ctx, reply_listener):
        self.client = client
        super().__init__(worker_ctx, reply_listener)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._proxies:
            self._proxies[name] = _ServiceProxy(self.client, self._worker_ctx, name, self._reply_listener)
        return self._proxies[name]


class Client(ClusterRpcProxy):
    """A standalone cluster proxy whose calls carry a deadline, an expiration and request ids."""

    def __init__(self, config: dict, timeout: float):
        super().__init__(config, timeout=timeout, context_data={})
        self.timeout = timeout
        self.request_ids: RequestIds | None = None
        self.deadline: float | None = None  # epoch seconds: the HTTP request's own deadline
        self._proxy = _ClusterProxy(self, self._worker_ctx, self._reply_listener)

    def time_left(self) -> float:
        """The next call's timeout: the pool's, cut to what the request has left."""
        if self.deadline is None:
            return self.timeout
        left = min(self.timeout, self.deadline - time.time())
        if left <= 0:
            raise DeadlinePassed(0)
        return left


class RpcPool:
    def __init__(self, nameko_config: dict, size: int = 16, timeout: float = 10.0):
        self.config = nameko_config
        self.size = size
        self.timeout = timeout
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()

    def _new_client(self):
        client = Client(self.config, timeout=self.timeout)
        try:
            return client, client.start()
        except BROKER_ERRORS as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc

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
    def client(self, context_data: dict, request_ids: RequestIds | None = None, deadline: float | None = None):
        """Borrow a cluster proxy whose calls carry context_data (correlation id, actor), for a
        command request ids, and end by `deadline` (epoch seconds) when given."""
        entry = self._take()
        owner, proxy = entry
        owner._worker_ctx.data.clear()
        owner._worker_ctx.data.update(context_data)
        owner.request_ids = request_ids
        owner.deadline = deadline
        try:
            yield proxy
        except DeadlinePassed:  # nothing was sent: no late reply can reach this client
            self._idle.put(entry)
            raise
        except (RpcTimeout, BrokerUnavailable, OSError, ConnectionError):
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
