"""Where the cores go during a load row: CPU time per request of each part, read from /proc.

Client, gateway, services, broker and database share the machine's cores, so a row's throughput
is bounded by their sum: the CPU milliseconds each part spends per request say which part a
second instance of a service could relieve and which it cannot. Linux only; elsewhere nothing.
"""
import os
from dataclasses import dataclass, field

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PARTS = ("client", "gateway", "service", "broker", "database", "other")


def _proc_times():
    """(pid, pgid, comm, utime + stime ticks) of every process we may read."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:  # gone meanwhile
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        # after the comm: state(0) ppid(1) pgrp(2) ... utime(11) stime(12)
        yield int(entry), int(fields[2]), comm, int(fields[11]) + int(fields[12])


def _machine_busy() -> tuple[int, int]:
    """(busy ticks, all ticks) of all CPUs since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def _part(pid, pgid, comm, groups) -> str:
    if pid == os.getpid():
        return "client"
    for name, pgids in groups.items():
        if pgid in pgids:
            return name
    if comm.startswith(("beam", "erl_child", "epmd", "inet_gethost")):
        return "broker"
    if comm.startswith("postgres"):
        return "database"
    return "other"


@dataclass
class Snapshot:
    parts: dict = field(default_factory=dict)   # part -> ticks
    busy: int = 0
    total: int = 0


def snapshot(groups: dict) -> Snapshot | None:
    """groups: {"gateway": {pgid}, "service": {pgid, ...}}: the process groups the bench started."""
    try:
        snap = Snapshot({part: 0 for part in PARTS})
        for pid, pgid, comm, ticks in _proc_times():
            snap.parts[_part(pid, pgid, comm, groups)] += ticks
        snap.busy, snap.total = _machine_busy()
        return snap
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Usage:
    """CPU of one load row: ms per request of each part, and how busy the machine's cores were."""
    ms_per_request: dict
    busy_cores: float      # average cores busy during the row (all processes, ours and others')

    @classmethod
    def between(cls, before: Snapshot | None, after: Snapshot | None, requests: int, cpus: int):
        if before is None or after is None or not requests or after.total <= before.total:
            return None
        ms = {part: (after.parts[part] - before.parts[part]) * 1000 / TICK / requests for part in PARTS}
        # Processes that ended during the row take their ticks with them; never show less than 0.
        ms = {part: max(0.0, value) for part, value in ms.items()}
        busy = (after.busy - before.busy) / (after.total - before.total) * cpus
        return cls(ms, busy)


HEADER = ["scenario", "concurrency", "req/s", "cores busy", "client ms", "gateway ms", "service ms",
          "broker ms", "database ms", "other ms", "sum ms"]


def row(result) -> list[str] | None:
    usage = getattr(result, "cpu", None)
    if usage is None:
        return None
    rate = result.requests / result.seconds if result.seconds else 0.0
    values = [usage.ms_per_request[part] for part in PARTS]
    return [result.scenario, str(result.concurrency), f"{rate:.0f}", f"{usage.busy_cores:.2f}",
            *[f"{v:.2f}" for v in values], f"{sum(values):.2f}"]


class Probe:
    """For bench.load.drive: snapshots at the row's start and end, and the Usage between them."""

    def __init__(self, groups: dict, cpus: int):
        self.groups, self.cpus = groups, cpus

    def __call__(self):
        return snapshot(self.groups)

    def usage(self, before, after, requests):
        return Usage.between(before, after, requests, self.cpus)
