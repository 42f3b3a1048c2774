"""Each addon builds as a wheel named odoo-addon-<name> (whool backend)."""

import ast
import pathlib
import subprocess
import sys

import pytest

ADDONS_DIR = pathlib.Path(__file__).resolve().parent.parent / "addons"
ADDONS = sorted(p.name for p in ADDONS_DIR.iterdir() if (p / "__manifest__.py").exists())


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_builds_a_wheel(addon, tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ADDONS_DIR / addon),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    wheels = [w.name for w in tmp_path.glob("*.whl")]
    assert len(wheels) == 1
    # The wheel carries the manifest's version (whool may add a post-release number).
    version = ast.literal_eval((ADDONS_DIR / addon / "__manifest__.py").read_text())["version"]
    assert wheels[0].startswith(f"odoo_addon_{addon}-{version}"), wheels
