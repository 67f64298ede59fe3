"""What the bench starts, and always stops: a PostgreSQL database, processes (the RabbitMQ vhost
comes from services.common.sandbox, shared with the tests)."""
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's nameko and gunicorn


def procfile_command(name: str) -> str:
    """The Procfile's command for a process, so the bench runs what `make run` runs."""
    for line in (REPO / "Procfile").read_text().splitlines():
        key, sep, command = line.partition(":")
        if sep and key.strip() == name:
            return command.strip()
    raise KeyError(f"no {name!r} in Procfile")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def last_error(path: Path, limit: int = 300) -> str:
    """The log's last line that names an exception, for a report that outlives the log (deleted with
    the run's temp dir). The services log JSON lines: their message, on one line."""
    for line in reversed(tail(path, 500).splitlines()):
        if "Error" in line or "Exception" in line:
            try:
                line = json.loads(line)["message"]
            except (ValueError, KeyError, TypeError):
                pass
            return " ".join(str(line).split())[:limit]
    return "(no error line in the log)"


@contextmanager
def process(name: str, command: str, env: dict, log_dir: Path):
    """Run a shell command in its own process group (so Ctrl-C reaches only us and we stop it in
    order). env overrides os.environ; a value of None unsets the variable."""
    full_env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for key, value in env.items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    log_path = log_dir / f"{name}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(["/bin/sh", "-c", "exec " + command], cwd=REPO, env=full_env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.name, proc.log_path = name, log_path
    try:
        yield proc
    finally:
        _stop(proc)


def _stop(proc, grace: float = 10.0):
    # SIGTERM lets nameko and gunicorn finish in-flight work; SIGKILL if they take too long.
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            print(f"bench: {proc.name} ignored SIGTERM for {grace:.0f} s; killing it", file=sys.stderr)
    try:  # the group may still hold children (gunicorn workers) after its leader exited
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def wait_until(what: str, check, procs, timeout: float = 60.0):
    """Poll check() until it returns something truthy; fail early if a process we wait on died."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.name} exited ({proc.returncode}) before {what} was ready:\n"
                                   f"{tail(proc.log_path)}")
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # not up yet: connection refused, UnknownService, timeout
            last_error = exc
        time.sleep(0.2)
    logs = "\n".join(f"--- {p.name}\n{tail(p.log_path)}" for p in procs)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s (last error: {last_error!r})\n{logs}")


@contextmanager
def postgres_database(admin_url: str, name: str):
    """Yield the URL of a fresh database, dropped afterwards; None if PostgreSQL does not answer."""
    import psycopg2

    try:
        admin = psycopg2.connect(admin_url, connect_timeout=2)
    except psycopg2.OperationalError:
        admin = None
    if admin is None:
        yield None
        return
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # left by a killed run
            cur.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(urlsplit(admin_url)._replace(path="/" + name))
    finally:
        try:
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            admin.close()
