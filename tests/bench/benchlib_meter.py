"""What the benchmarks measure: wall and CPU time, SQL queries, peak memory, the load; profiles."""

import cProfile
import io
import os
import pstats
import resource
import time


def peak_rss_mb():
    """The peak resident memory of this process so far, in MB (``ru_maxrss`` is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_tree_peak_rss_mb(pid):
    """{pid: peak resident memory in MB} of process ``pid`` and its children (``VmHWM``)."""
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            pids += [int(child) for child in children.read().split()]
    except OSError:
        pass
    peaks = {}
    for each in pids:
        try:
            with open(f"/proc/{each}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peaks[each] = int(line.split()[1]) / 1024
        except OSError:
            continue
    return peaks


def process_tree_cpu_seconds(pid):
    """The CPU seconds (user + system) process ``pid`` and its live children have used so far,
    with the children it has already waited for (an Odoo server and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            pids += [int(child) for child in children.read().split()]
    except OSError:
        pass
    total = 0
    for each in pids:
        try:
            with open(f"/proc/{each}/stat", encoding="ascii") as stat:
                # The fields after the command name (in parentheses): utime, stime, cutime, cstime
                # are the 12th to 15th of them.
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if each == pid:
            total += int(fields[13]) + int(fields[14])
    return total / ticks


def load_average():
    return round(os.getloadavg()[0], 1)


class Meter:
    """Wall time, Odoo process CPU time and SQL queries from entry to exit."""

    def __init__(self, sql_db):
        self.sql_db = sql_db

    def __enter__(self):
        self.start_queries = self.sql_db.sql_counter
        self.start = time.perf_counter()
        self.start_cpu = time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.start_cpu
        self.queries = self.sql_db.sql_counter - self.start_queries


class Clock:
    """Wall time and SQL queries of named phases (and the CPU time, with ``cpu``)."""

    def __init__(self, sql_db, cpu=False):
        self.sql_db = sql_db
        self.cpu = cpu
        self.phases = []

    def __call__(self, label):
        return _Phase(self, label)

    def total(self):
        return sum(phase["seconds"] for phase in self.phases)


class _Phase(Meter):
    def __init__(self, clock, label):
        super().__init__(clock.sql_db)
        self.clock, self.label = clock, label

    def __exit__(self, *exc):
        super().__exit__(*exc)
        if exc[0] is None:
            phase = {"label": self.label, "seconds": self.seconds}
            line = f"  {self.label:<44} {self.seconds:9.2f} s {self.queries:9d} queries"
            if self.clock.cpu:
                phase["cpu"] = self.cpu
                line += f" (Odoo CPU {self.cpu:.2f} s)"
            self.clock.phases.append(dict(phase, queries=self.queries))
            print(line, flush=True)


def request(env, step, profiler=None):
    """Run ``step`` as a request would: flushed and committed, under ``profiler`` if given."""
    if profiler:
        profiler.enable()
    step()
    env.flush_all()
    env.cr.commit()
    if profiler:
        profiler.disable()


def profiler_for(wanted):
    return cProfile.Profile() if wanted else None


def profile_report(profiler, lines, profile_file=None):
    """The ``lines`` first functions by cumulative time; the stats saved to ``profile_file``."""
    if profile_file:
        profiler.dump_stats(profile_file)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()
