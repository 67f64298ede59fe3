"""Throwaway RabbitMQ vhosts, so a test run or a benchmark never shares queues with anyone else.

Used by tests/ and bench/, not by the services. Falls back to the given vhost when the broker is
not local or rabbitmqctl cannot manage it (the caller is told why).
"""
import os
import shutil
import subprocess
from contextlib import contextmanager
from urllib.parse import quote, unquote, urlsplit, urlunsplit


def _ctl(*args):
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def private_vhost(amqp_uri: str, prefix: str):
    """Yield (uri, note): the URI of a new vhost named <prefix>-<pid>, deleted afterwards."""
    parts = urlsplit(amqp_uri)
    vhost = f"{prefix}-{os.getpid()}"
    created = False
    note = f"shared vhost of {amqp_uri} (rabbitmqctl cannot manage this broker)"
    if parts.hostname in ("127.0.0.1", "localhost", "::1") and shutil.which("rabbitmqctl"):
        try:
            _ctl("add_vhost", vhost)
            created = True
            _ctl("set_permissions", "-p", vhost, unquote(parts.username or "guest"), ".*", ".*", ".*")
        except (OSError, subprocess.SubprocessError) as exc:
            note = f"shared vhost of {amqp_uri} (no private vhost: {exc})"
            if created:
                _ctl("delete_vhost", vhost)
                created = False
    if not created:
        yield amqp_uri, note
        return
    try:
        yield urlunsplit(parts._replace(path="/" + quote(vhost, safe=""))), f"private vhost {vhost}"
    finally:
        try:
            _ctl("delete_vhost", vhost)
        except (OSError, subprocess.SubprocessError):
            pass  # a leftover empty vhost harms nobody
