"""Read an Odoo log: count the tests it ran and failed, and find log noise.

Usage: odoo_log_report.py LOGFILE [LOGFILE ...] --allow setup/log_allowlist.txt

Prints the failed tests and every ERROR/WARNING/CRITICAL record that no allow-list
pattern matches, then one machine-readable line:
    ODOO-REPORT tests=N failed=N unexpected=N
Exit status 0 whatever it finds; the caller decides.
"""

import argparse
import re
import sys

RECORD_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): (?P<msg>.*)$"
)
TEST_LOGGER_RE = re.compile(r"^odoo\.addons\.[\w]+\.tests(\.|$)")
BAD_LEVELS = {"WARNING", "ERROR", "CRITICAL"}


def read_records(paths):
    """Yield (level, logger, first line, full text) per log record; tracebacks stay with theirs."""
    for path in paths:
        record = None
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                line = line.rstrip("\n")
                match = RECORD_RE.match(line)
                if match:
                    if record:
                        yield record
                    record = [match["level"], match["logger"], line, [line]]
                elif record:
                    record[3].append(line)
            if record:
                yield record


def load_allowlist(path):
    patterns = []
    with open(path, encoding="utf-8") as allow:
        for number, raw in enumerate(allow, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            pattern, sep, reason = line.partition(" # ")
            if not sep or not reason.strip():
                sys.exit(f"{path}:{number}: every allowed pattern needs ' # reason' after it")
            patterns.append(re.compile(pattern.strip()))
    return patterns


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("logs", nargs="+")
    parser.add_argument("--allow", required=True)
    args = parser.parse_args()
    allowed = load_allowlist(args.allow)

    tests = 0
    failed = []
    unexpected = []
    for level, logger, first, lines in read_records(args.logs):
        message = first.split(": ", 1)[1] if ": " in first else first
        if TEST_LOGGER_RE.match(logger):
            if level == "INFO" and message.startswith("Starting "):
                tests += 1
            elif level == "ERROR" and re.match(r"(FAIL|ERROR): ", message):
                failed.append("\n".join(lines))
                continue
        if level in BAD_LEVELS and not any(p.search(first) for p in allowed):
            unexpected.append("\n".join(lines[:40]))

    for text in failed:
        print(text, end="\n\n")
    if unexpected:
        print("Unexpected log records (fix them or list them with a reason in the allow-list):")
        for text in unexpected:
            print(text, end="\n\n")
    print(f"ODOO-REPORT tests={tests} failed={len(failed)} unexpected={len(unexpected)}")


if __name__ == "__main__":
    main()
