"""Container health check: exit 0 when the named part of Itinera answers, 1 when it does not.

    python -m services.common.healthcheck crm        # the service's `health` RPC over RabbitMQ
    python -m services.common.healthcheck gateway    # GET http://127.0.0.1:$GATEWAY_PORT/healthz

On success it prints the answer as JSON; on failure one line saying why. Every wait is bounded
(TIMEOUT for the answer, a few seconds more for connecting), so a hung broker reads as unhealthy.
"""
import json
import os
import signal
import sys
import urllib.request
import warnings

from .config import SERVICES, load_nameko_config

TIMEOUT = 5.0
TARGETS = (*SERVICES, "gateway")


def check_service(service: str):
    from nameko.standalone.rpc import ClusterRpcProxy

    from . import errors, serialization  # noqa: F401  (errors: domain errors re-raise typed)

    serialization.register()
    with ClusterRpcProxy(load_nameko_config(), timeout=TIMEOUT) as rpc:
        proxy = getattr(rpc, service)
        # A check nobody answered expires from the queue instead of piling up while it is down.
        proxy.options["expiration"] = TIMEOUT
        return proxy.health()


def check_gateway():
    url = f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT') or 8000}/healthz"
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        return json.loads(response.read() or b"null")


def _deadline(signum, frame):
    raise TimeoutError(f"no answer within {TIMEOUT + 5:g} s")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in TARGETS:
        print(f"usage: python -m services.common.healthcheck {{{'|'.join(TARGETS)}}}", file=sys.stderr)
        return 1
    name = argv[0]
    warnings.simplefilter("ignore")  # eventlet's deprecation notice is not a health result
    signal.signal(signal.SIGALRM, _deadline)  # connecting has no timeout of its own
    signal.alarm(int(TIMEOUT) + 5)
    try:
        result = check_gateway() if name == "gateway" else check_service(name)
    except Exception as exc:  # noqa: BLE001  (any failure means unhealthy, said in one line)
        print(f"{name} unhealthy: {' '.join(f'{type(exc).__name__}: {exc}'.split())}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
    print(json.dumps(result, default=str, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
