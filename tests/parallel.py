"""`make test`: the whole suite as two pytest runs side by side, each line prefixed with its half.

Most tests wait on the broker, timers and other processes rather than the CPU, so two runs on two
cores take about half the time of one. Each run is a pytest session of its own (its own private
RabbitMQ vhost, temporary directory and PostgreSQL databases), so they cannot meet. pytest-xdist
is not used: its workers hung here (execnet's threads under eventlet's monkey patching).

    python -m tests.parallel              # the suite, in two halves
    python -m tests.parallel tests/unit   # arguments given: one ordinary pytest run of them
"""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Balanced by what each half waits for: e2e and unit beside service and faults.
HALVES = {"e2e+unit": ["tests/e2e", "tests/unit"], "service+faults": ["tests/service", "tests/faults"]}


def _relay(name: str, stream, lock: threading.Lock):
    for line in stream:
        with lock:
            sys.stdout.write(f"[{name}] {line}")
            sys.stdout.flush()


def main(argv: list[str]) -> int:
    pytest = [sys.executable, "-m", "pytest"]
    if argv:
        return subprocess.call(pytest + argv, cwd=ROOT)
    started, lock, runs = time.monotonic(), threading.Lock(), {}
    for name, paths in HALVES.items():
        basetemp = ROOT / "var" / "pytest" / name
        basetemp.parent.mkdir(parents=True, exist_ok=True)  # pytest makes (and empties) basetemp, not its parents
        process = subprocess.Popen(pytest + ["--basetemp", str(basetemp), *paths], cwd=ROOT, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, PYTHONUNBUFFERED="1"))
        relay = threading.Thread(target=_relay, args=(name, process.stdout, lock), daemon=True)
        relay.start()
        runs[name] = (process, relay)
    codes = {}
    for name, (process, relay) in runs.items():
        codes[name] = process.wait()
        relay.join()
    minutes = (time.monotonic() - started) / 60
    print(f"\nthe suite in two halves, {minutes:.1f} min: " +
          ", ".join(f"{name} {'passed' if code == 0 else f'FAILED (exit {code})'}" for name, code in codes.items()))
    return max(codes.values())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
