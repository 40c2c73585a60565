"""Where the machine's CPU went while locust ran (step 4 of bench/load/run.py), from /proc."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float, str]]:
    """Every process: its parent, CPU seconds so far (user and system, its own and its
    ended children's) and command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        command = raw.replace(b"\0", b" ").decode("utf-8", "replace")
        # The command name in parentheses may hold spaces: fields count after its ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (
            int(fields[1]),
            sum(int(x) for x in fields[11:15]) / CLOCK_TICKS,
            command,
        )
    return found


def cpu_snapshot(services: dict[str, int]) -> dict[str, dict[int, float]]:
    """CPU seconds per process of each group: gunicorn and Celery with their children,
    PostgreSQL (see below), redis-server; and the whole machine's busy seconds."""
    processes = _processes()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _cpu, _command) in processes.items():
        children[parent].append(pid)

    def tree(root: int) -> list[int]:
        pids, todo = [], [root]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo += children.get(pid, [])
        return pids

    groups = {name: tree(pid) for name, pid in services.items()}
    # The whole server, every database: a backend ends with its connection (gunicorn's
    # after CONN_MAX_AGE), and only the server's main process keeps what ended children
    # used. Other databases (tests run meanwhile) are counted too.
    groups["PostgreSQL (every database)"] = [
        pid
        for root, (_p, _c, command) in processes.items()
        if " -D " in command and "postgres" in command.split(" -D ")[0]
        for pid in tree(root)
    ]
    groups["Redis"] = [
        pid for pid, (_p, _c, command) in processes.items() if command.startswith("redis-server")
    ]
    snapshot = {
        name: {pid: processes[pid][1] for pid in pids if pid in processes}
        for name, pids in groups.items()
    }
    jiffies = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = jiffies[3] + jiffies[4]  # idle and iowait
    snapshot["machine"] = {0: (sum(jiffies[:8]) - idle) / CLOCK_TICKS}
    return snapshot


def cpu_used(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
) -> dict[str, float]:
    """CPU seconds each group used in between; a process that ended meanwhile is lost."""
    return {
        name: sum(seconds - before[name].get(pid, 0.0) for pid, seconds in after[name].items())
        for name in after
    }


def cpu_text(cpu: dict[str, float], seconds: float) -> str:
    cores = os.cpu_count() or 1
    ours = {name: used for name, used in cpu.items() if name != "machine"}
    others = cpu["machine"] - sum(ours.values())
    parts = ", ".join(f"{name} {used / seconds:.2f}" for name, used in ours.items())
    return (
        f"CPU while locust ran, in cores (of {cores}): {parts}; everything else on the "
        f"machine {max(others, 0.0) / seconds:.2f}; the machine in all "
        f"{cpu['machine'] / seconds:.2f}."
    )
