"""The bundled data are inside the wheel and load from an installed copy, not only a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import toolkit as tk

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    (path,) = out.glob("toolkit-*.whl")
    return path


def test_wheel_holds_every_registered_file(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert "toolkit/_bundled/datasets.csv" in names
    assert "toolkit/_bundled/tables.csv" in names
    for row in tk.datasets.list_datasets(by_table=True).itertuples():
        assert f"toolkit/_bundled/{row.name}/{row.file}" in names, row
        assert f"toolkit/_bundled/{row.name}/README.md" in names
    for extra in ("study.yaml", "planted_effects.yaml", "truth/member_engagement.csv",
                  "truth/texts.csv", "truth/personal_in_text.csv"):
        assert f"toolkit/_bundled/demo/{extra}" in names


def test_installed_copy_loads_from_its_own_bundle(wheel, tmp_path):
    # The wheel unpacked where an installer would put it (site-packages is just a folder on
    # sys.path); the loader must find the data inside the package, not in this checkout.
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    code = (
        "import toolkit as tk, pathlib;"
        "p = tk.datasets.data_path('karate_club');"
        "print(pathlib.Path(tk.__file__).parent.parent);"
        "print(p);"
        "print(len(tk.datasets.load_dataset('karate_club')));"
        "print((tk.datasets.data_path('demo') / 'study.yaml').is_file())"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120, check=True, cwd=tmp_path)
    package, data, rows, manifest = done.stdout.strip().splitlines()
    assert Path(package) == site
    assert Path(data) == site / "toolkit" / "_bundled" / "karate_club"
    assert rows == "78"
    assert manifest == "True"
