"""An Odoo server started by a benchmark for a step (HTTP requests, cron workers), and its log."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

from benchlib_meter import process_tree_cpu_seconds


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_odoo_server(odoo_options, extra_options, timeout=120):
    """Start ``odoo-bin`` with these options on free ports; return its process once it serves."""
    import odoo  # noqa: PLC0415 - the caller runs inside Odoo already

    odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    http_port = free_port()
    command = [
        sys.executable,
        odoo_bin,
        *odoo_options,
        *extra_options,
        "--http-interface=127.0.0.1",
        f"--http-port={http_port}",
        f"--gevent-port={free_port()}",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the Odoo server did not start: {' '.join(command)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/web/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    stop_odoo_server(server)
    sys.exit(f"the Odoo server did not answer within {timeout} s: {' '.join(command)}")


def stop_odoo_server(server):
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def start_cron_server(env, odoo_options, workers, log_path, crons, wait_until_idle=False):
    """Start Odoo as production runs it, multi-process with ``workers`` cron workers; return the
    server's process and the CPU seconds its processes have used so far.

    Only the billing_sepa scheduled actions named in ``crons`` (xml ids) stay active in this
    throwaway copy, so that nothing else competes for the cores while a step is timed. The server
    logs to ``log_path``, emptied first so that it holds this run's lines only, with billing_sepa's
    INFO lines. With ``wait_until_idle``, return once the cron workers, which load the registry and
    run the due actions once after the server answers, have idled for three seconds, so that their
    start-up is not counted.
    """
    env.cr.execute(
        """UPDATE ir_cron SET active = false WHERE id NOT IN (
               SELECT res_id FROM ir_model_data WHERE module = 'billing_sepa' AND name IN %s)""",
        [tuple(crons)],
    )
    env.cr.commit()
    open(log_path, "w", encoding="utf-8").close()
    server = start_odoo_server(
        odoo_options,
        [
            "--workers=1",
            f"--max-cron-threads={workers}",
            f"--logfile={log_path}",
            "--log-handler=odoo.addons.billing_sepa:INFO",
        ],
    )
    cpu = process_tree_cpu_seconds(server.pid)
    if wait_until_idle:
        idle_seconds = 0
        for _second in range(120):
            time.sleep(1)
            now = process_tree_cpu_seconds(server.pid)
            idle_seconds = idle_seconds + 1 if now - cpu < 0.05 else 0
            cpu = now
            if idle_seconds == 3:
                break
    return server, cpu


def wait_for_cron_server(env, server, table, record_id, script, log_path, stop_server):
    """Poll the record ``record_id`` of ``table`` (a state and a booking_error) until the cron
    workers of ``server`` have booked it; exit, after ``stop_server()``, when its booking stopped
    with an error, or when the server stopped."""
    from odoo.tools import SQL  # noqa: PLC0415 - the caller runs inside Odoo already

    cr = env.cr
    while True:
        cr.execute(SQL("SELECT state, booking_error FROM %s WHERE id = %s", SQL.identifier(table), record_id))
        state, error = cr.fetchone()
        cr.rollback()  # the next poll sees what the workers committed since
        if error:
            stop_server()
            sys.exit(f"{script}: the booking stopped: {error}")
        if state != "booking":
            break
        if server.poll() is not None:
            sys.exit(f"{script}: the Odoo server stopped; see {log_path}")
        time.sleep(0.1)
    env.invalidate_all()


def logged_seconds(log_path, logger, marker=" in "):
    """The durations ``... in 1.23 s`` that ``logger`` wrote to the Odoo log, in order."""
    pattern = re.compile(re.escape(marker) + r"(\d+(?:\.\d+)?) s$")
    seconds = []
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            if f" {logger}" in line and (match := pattern.search(line.rstrip())):
                seconds.append(float(match.group(1)))
    return seconds
