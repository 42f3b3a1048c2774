"""Webhook burst benchmark: N signed WooCommerce deliveries from S concurrent senders.

The in-process part of ``tests/bench/bench_webhook.sh``, which builds the database and calls::

    bench_webhook.py run --n N --senders S --workers W [--process] --json FILE -- ODOO_OPTIONS...

In one database where billing_webshop is installed it sets up the Dutch company and backend of
``bench_webshop.py`` (untimed) and signs N WooCommerce orders as the shop does. It then starts
an Odoo server with ``--workers W`` (multi-process, as production runs) on 127.0.0.1 and sends
the N deliveries to ``/billing_webshop/webhook/<backend>`` from S threads at once, each with its
own keep-alive connection, as fast as the server answers. It prints the deliveries accepted per
second (wall time from the first request to the last answer), the p50/p90/p99/max answer times,
the answers by HTTP status, the peak RSS of the server's processes (``VmHWM``) and that every
delivery is stored once (one event per delivery key, none missing). Before the webhook burst, the
same burst (N requests from S senders, same server) goes to two floors: ``GET /web/health``,
the floor of what Odoo's request handling reaches on this machine at this load, and ``GET
/web/binary/company_logo?company=<id>``, Odoo's cheapest core route that reads the database
(one SELECT in a read-write transaction), the floor of any database-bound request; each is
printed with the ratios webhook/floor of the rates and of p50/p99. Once the burst is over, a
one-process server that logs every query counts the queries of one request of each kind (a new
delivery, the same delivery again, each floor) and lists those of the new delivery. With
``--process`` the event queue is then imported by the cron method in this process until it is
empty, and the import is checked (N confirmed orders); it takes about a second per order on 2
cores.
"""

import argparse
import http.client
import os
import queue
import re
import statistics
import sys
import threading
import time

import bench_webshop
import benchlib
import benchlib_meter
import benchlib_server

EMAIL_DOMAIN = "burst.example.nl"
WARM_UP_ID = 999900000  # shop order ids of the untimed warm-up deliveries (the burst's: 100000 + i)
QUERY_PROBE_ID = 999800000  # shop order ids of the deliveries whose queries are counted
# A log record starts with its date; a query spread over several lines continues it.
_LOG_RECORD = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} ")
# Odoo's werkzeug line ends with the request's query count, query time and other time.
_REQUEST_LINE = re.compile(r'"(?:GET|POST) (\S+) HTTP/[0-9.]+" (\d+) \S+ (\d+) [0-9.]+ [0-9.]+$')


def send_burst(port, path, deliveries, senders, method="POST"):
    """Send every (headers, body) once from ``senders`` threads; (wall seconds, [(status, seconds)])."""
    todo = queue.Queue()
    for delivery in deliveries:
        todo.put(delivery)
    answers, lock = [], threading.Lock()
    start = threading.Barrier(senders + 1)

    def sender():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        start.wait()
        while True:
            try:
                headers, body = todo.get_nowait()
            except queue.Empty:
                break
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            mine.append((status, time.perf_counter() - began))
        connection.close()
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, answers


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summarise(seconds, answers):
    """Rate of 200 answers, answer times and answers by status of one burst."""
    times = [duration for _status, duration in answers]
    by_status = {}
    for status, _duration in answers:
        by_status[str(status)] = by_status.get(str(status), 0) + 1
    accepted = by_status.get("200", 0)
    return {
        "seconds": seconds,
        "accepted": accepted,
        "accepted_per_second": accepted / seconds,
        "answers": by_status,
        "p50_ms": 1000 * statistics.median(times),
        "p90_ms": 1000 * percentile(times, 0.90),
        "p99_ms": 1000 * percentile(times, 0.99),
        "max_ms": 1000 * max(times),
    }


def db_floor_path(company_id):
    """Odoo's cheapest core route that reads the database: the company logo, one SELECT."""
    return f"/web/binary/company_logo?company={company_id}"


def logged_requests(logfile):
    """Each request the server logged, in order: (path, [query, ...], the count Odoo gives)."""
    with open(logfile, "rb") as log:
        text = log.read().decode("utf-8", "replace")
    logged, records = [], []
    for line in text.splitlines():
        if not _LOG_RECORD.match(line):
            if records:
                records[-1] += "\n" + line
            continue
        if " odoo.sql_db: " in line and "] query: " in line:
            records.append(line.split("] query: ", 1)[1])
        elif " werkzeug: " in line and (match := _REQUEST_LINE.search(line)):
            logged.append((match.group(1), records, int(match.group(3))))
            records = []
    return logged


def wait_for_requests(logfile, count, timeout=30):
    """The requests logged once there are ``count`` of them (a werkzeug line comes after the
    answer is sent)."""
    deadline = time.monotonic() + timeout
    while len(logged := logged_requests(logfile)) < count:
        if time.monotonic() > deadline:
            sys.exit(f"bench_webhook.py: {len(logged)} requests logged, not {count}, in {logfile}")
        time.sleep(0.05)
    return logged


def count_queries(odoo_options, requests):
    """The queries that requests run on a server that logs them: ({label: {...}}, log file).

    ``requests`` holds (label, method, path, headers, body), sent in this order; those with a
    label are counted, the others (label None) warm the caches up. A one-process server
    (``--workers 0``: a worker's request handling, in one process) logs every query
    (``odoo.sql_db`` at DEBUG) and the werkzeug line of each request, which ends with Odoo's own
    count of the request's queries, all its cursors included; the two must agree.
    """
    logfile = [arg for arg in odoo_options if arg.startswith("--logfile=")][-1].split("=", 1)[1]
    logfile = logfile.removesuffix(".log") + "-queries.log"
    if os.path.exists(logfile):
        os.remove(logfile)
    server = benchlib_server.start_odoo_server(
        odoo_options,
        [
            "--workers=0",
            "--max-cron-threads=0",
            f"--logfile={logfile}",
            "--log-handler=werkzeug:INFO",
            "--log-handler=odoo.sql_db:DEBUG",
        ],
    )
    queries = {}
    try:
        port = int([arg for arg in server.args if arg.startswith("--http-port=")][-1].split("=", 1)[1])
        # The server logged the /web/health request that found it up; wait for the log to settle.
        wait_for_requests(logfile, 1)
        time.sleep(1)
        before = len(logged_requests(logfile))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for label, method, path, headers, body in requests:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            json_answer = (response.getheader("Content-Type") or "").startswith("application/json")
            answer = answer.decode("utf-8", "replace")[:200] if json_answer else f"{len(answer)} bytes"
            before += 1
            logged_path, records, request_count = wait_for_requests(logfile, before)[before - 1]
            if logged_path != path or request_count != len(records):
                sys.exit(
                    f"bench_webhook.py: {path}: logged as {logged_path} with {len(records)} queries, "
                    f"Odoo counted {request_count}; see {logfile}"
                )
            if label:
                queries[label] = {"status": response.status, "answer": answer, "queries": records}
        connection.close()
    finally:
        benchlib_server.stop_odoo_server(server)
    return queries, logfile


def run(odoo, registry, odoo_options, n, senders, workers, process):
    results = {"n": n, "senders": senders, "workers": workers, "load_before": benchlib_meter.load_average()}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env, setup = bench_webshop.setup_company(env)
        cr.commit()
        backend_id = setup["backend"].id
        company_id = setup["company"].id
        orders = bench_webshop.generate_orders(n, EMAIL_DOMAIN)
        deliveries = bench_webshop.signed_deliveries(orders)

    server = benchlib_server.start_odoo_server(
        odoo_options,
        # -d alone (odoo_options) exposes this database only. A --db-filter would make Odoo list
        # the databases on every request: a new connection to "postgres" each time.
        [f"--workers={workers}", "--max-cron-threads=0"],
    )
    try:
        # The last --http-port wins: the one start_odoo_server chose.
        port = int([arg for arg in server.args if arg.startswith("--http-port=")][-1].split("=", 1)[1])
        path = f"/billing_webshop/webhook/{backend_id}"
        # A few deliveries first (not timed), from as many senders as there are workers: each
        # worker loads the registry on its first request.
        warm_up = [
            dict(order, id=WARM_UP_ID + index)
            for index, order in enumerate(bench_webshop.generate_orders(2 * workers, "warmup.example.nl"))
        ]
        send_burst(port, path, bench_webshop.signed_deliveries(warm_up), workers)
        # The floors: the same burst against Odoo's cheapest route, then against its cheapest
        # core route that reads the database, on the same server and load.
        health = send_burst(port, "/web/health", [({}, None)] * n, senders, method="GET")
        db_floor = send_burst(port, db_floor_path(company_id), [({}, None)] * n, senders, method="GET")
        seconds, answers = send_burst(port, path, deliveries, senders)
        peaks = benchlib_meter.process_tree_peak_rss_mb(server.pid)
    finally:
        benchlib_server.stop_odoo_server(server)

    results.update(summarise(seconds, answers))
    results["health"] = summarise(*health)
    results["db_floor"] = summarise(*db_floor)
    # Queries of one request of each kind, on a server of its own once the burst is over.
    warm, probe = bench_webshop.signed_deliveries(
        [dict(order, id=QUERY_PROBE_ID + index) for index, order in enumerate(orders[:2])]
    )
    queries, queries_log = count_queries(
        odoo_options,
        [
            (None, "GET", "/web/health", {}, None),
            ("health", "GET", "/web/health", {}, None),
            (None, "GET", db_floor_path(company_id), {}, None),
            ("db_floor", "GET", db_floor_path(company_id), {}, None),
            # A first new order warms the caches up; a second is counted, then delivered again.
            (None, "POST", path, *warm),
            ("webhook", "POST", path, *probe),
            ("webhook_again", "POST", path, *probe),
        ],
    )
    results["queries"] = queries
    results["queries_log"] = queries_log
    results.update(
        {
            "peak_rss_mb_max": max(peaks.values(), default=0),
            "peak_rss_mb_total": sum(peaks.values()),
            "processes": len(peaks),
        }
    )
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        Event = env["billing.webshop.event"]
        # The burst's orders only, not the warm-up's nor the query probes' ("like" would match
        # anywhere in the id: "not like 999" leaves out order 100999 too).
        burst_ids = [str(order["id"]) for order in orders]
        domain = [("backend_id", "=", backend_id), ("external_id", "in", burst_ids)]
        events = Event.search(domain)
        keys = Event._read_group(domain, ["delivery_key"], ["__count"])
        external_ids = set(events.mapped("external_id"))
        results["stored"] = {
            "events": len(events),
            "distinct_delivery_keys": len(keys),
            "keys_stored_twice": sum(1 for _key, count in keys if count > 1),
            "orders_missing": len({str(order["id"]) for order in orders} - external_ids),
        }
        if process:
            with benchlib_meter.Meter(odoo.sql_db) as meter:
                while Event.search_count([("state", "=", "queued"), ("backend_id", "=", backend_id)]):
                    Event._cron_process_events(batch_size=bench_webshop.CHUNK)
                    cr.commit()
            done = Event.search_count([*domain, ("state", "=", "done")])
            results["processed"] = {"seconds": meter.seconds, "queries": meter.queries, "done": done}
    results["load_after"] = benchlib_meter.load_average()
    return results


def report(results):
    n = results["n"]
    print()
    print(
        f"Webhook burst, N = {n} signed deliveries from {results['senders']} senders, server with "
        f"--workers {results['workers']} (load {results['load_before']} -> {results['load_after']})"
    )
    print(
        f"  {results['accepted']} accepted in {results['seconds']:.2f} s: "
        f"{results['accepted_per_second']:.0f} per second; answers {results['answers']}"
    )
    print(
        f"  answer time p50 {results['p50_ms']:.0f} ms, p90 {results['p90_ms']:.0f} ms, "
        f"p99 {results['p99_ms']:.0f} ms, max {results['max_ms']:.0f} ms"
    )
    print(
        f"  peak RSS {results['peak_rss_mb_max']:.0f} MB per process at most, "
        f"{results['peak_rss_mb_total']:.0f} MB over the server's {results['processes']} processes"
    )
    queries = results["queries"]
    floors = (("health", "/web/health"), ("db_floor", "/web/binary/company_logo (one SELECT)"))
    for key, name in floors:
        floor = results[key]
        print(
            f"  {name}, the same burst on the same server: {floor['accepted']} answered 200 in "
            f"{floor['seconds']:.2f} s: {floor['accepted_per_second']:.0f} per second; "
            f"p50 {floor['p50_ms']:.0f} ms, p99 {floor['p99_ms']:.0f} ms; answers {floor['answers']}; "
            f"{len(queries[key]['queries'])} queries per request"
        )
    for key, name in (("health", "health"), ("db_floor", "db-floor")):
        floor = results[key]
        print(
            f"  webhook/{name}: rate {results['accepted_per_second'] / floor['accepted_per_second']:.2f}, "
            f"p50 {results['p50_ms'] / floor['p50_ms']:.2f}, p99 {results['p99_ms'] / floor['p99_ms']:.2f}"
        )
    again = queries["webhook_again"]
    print(
        f"  queries per delivery: {len(queries['webhook']['queries'])} for a new one, "
        f"{len(again['queries'])} for one delivered again (answer {again['status']} {again['answer']}); "
        f"all in {results['queries_log']}:"
    )
    for number, query in enumerate(queries["webhook"]["queries"], 1):
        print(f"    {number:2d}. {' '.join(query.split())[:150]}")
    stored = results["stored"]
    print("  stored: " + ", ".join(f"{key} {value}" for key, value in stored.items()))
    if "processed" in results:
        processed = results["processed"]
        print(
            f"  queue imported afterwards in {processed['seconds']:.1f} s, {processed['queries']} queries: "
            f"{processed['done']} of {n} done"
        )
    once = stored["events"] == n and stored["keys_stored_twice"] == 0 and stored["orders_missing"] == 0
    fast = results["accepted_per_second"] >= 200 and results["p99_ms"] < 100
    print(
        f"every delivery stored once: {'yes' if once else 'NO'}; "
        f"target >= 200 per second and p99 < 100 ms: {'met' if fast else 'NOT met'}"
    )


def main(argv):
    argv, odoo_options = benchlib.split_argv(argv)
    parser = argparse.ArgumentParser(prog="bench_webhook.py")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--process", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    odoo, registry = benchlib.open_registry(odoo_options, "bench_webhook.py")
    results = run(odoo, registry, odoo_options, args.n, args.senders, args.workers, args.process)
    benchlib.write_json(args.json, results, indent=2)
    report(results)
    stored = results["stored"]
    if stored["events"] != args.n or stored["keys_stored_twice"] or stored["orders_missing"]:
        sys.exit("bench_webhook.py: not every delivery was stored exactly once")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main(sys.argv[1:])
