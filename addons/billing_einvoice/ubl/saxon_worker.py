"""Runs a schematron (compiled to XSLT 2.0) with saxonche in a process of its own.

Saxon-HE's native image reserves more address space than Odoo's memory limit
(``limit_memory_hard``, set as the soft RLIMIT_AS) allows, so ``validation`` starts this worker
with the limit lifted and keeps it for the life of the Odoo process. Protocol on
stdin/stdout: the worker prints ``READY``; then for each request it reads an 8-byte big-endian
length and the document, and answers ``O`` (SVRL report) or ``E`` (error text), an 8-byte length
and the bytes.
"""

import struct
import sys


def main(stylesheet):
    from saxonche import PySaxonProcessor  # noqa: PLC0415 (only in the worker)

    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=stylesheet)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    stdout.write(b"READY\n")
    stdout.flush()
    while True:
        header = stdin.read(8)
        if len(header) < 8:
            return
        (size,) = struct.unpack(">Q", header)
        data = stdin.read(size)
        try:
            node = processor.parse_xml(xml_text=data.decode("utf-8"))
            status, answer = b"O", executable.transform_to_string(xdm_node=node).encode("utf-8")
        except Exception as error:
            status, answer = b"E", str(error).encode("utf-8", "replace")
        stdout.write(status + struct.pack(">Q", len(answer)) + answer)
        stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
