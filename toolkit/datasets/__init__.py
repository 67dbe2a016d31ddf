"""Bundled datasets: a fictional district study with planted effects and classic networks.

Everything loads offline, from a checkout or an installed wheel.

Bundled: ``demo`` (fictional, planted effects) and three classic teaching networks.
Real online-consultation data (Polis exports) are read with :func:`toolkit.io.read_polis`
from the folder a researcher downloads; none is bundled.

- :func:`list_datasets` — the registry: name, description, tables, rows, source,
  licence, what each is useful for;
- :func:`load_study` — the demo district study as a :class:`toolkit.Study`, read
  from its office-format files through its ``study.yaml`` manifest;
- :func:`load_dataset` — one table of a dataset as a DataFrame;
- :func:`data_path` — the folder of a dataset's files (to read them yourself);
- :func:`planted_effects` — the true values planted in the demo study;
- :mod:`toolkit.datasets.synth` — the seeded generator of the demo study.

Examples
--------
>>> import toolkit as tk
>>> tk.datasets.list_datasets()["name"].tolist()
['demo', 'davis_southern_women', 'florentine_families', 'karate_club']
>>> edges = tk.datasets.load_dataset("karate_club")
>>> len(edges), list(edges.columns)
(78, ['node1', 'node2', 'weight'])
"""

from __future__ import annotations

import importlib.resources
import os
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit._checks import close_matches

if TYPE_CHECKING:
    from toolkit.study import Study

__all__ = ["data_path", "list_datasets", "load_dataset", "load_study", "planted_effects"]

#: Columns of :func:`list_datasets`.
REGISTRY_COLUMNS = ["name", "description", "tables", "rows", "source", "licence", "useful_for"]
#: Columns of ``list_datasets(by_table=True)``.
TABLE_COLUMNS = ["name", "table", "file", "rows", "description"]


def _root() -> Path:
    """Folder holding the bundled datasets (installed wheel first, then the checkout)."""
    bundled = importlib.resources.files("toolkit") / "_bundled"
    if bundled.is_dir():
        return Path(os.fspath(bundled))
    checkout = Path(__file__).resolve().parents[2] / "datasets"
    if checkout.is_dir():
        return checkout
    msg = (f"The bundled datasets are missing: neither {bundled} nor {checkout} exists. "
           "Reinstall the package (`pip install .`) or run from a checkout of the project.")
    raise FileNotFoundError(msg)


@cache
def _registry(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    datasets = pd.read_csv(root / "datasets.csv", encoding="utf-8", dtype=str)
    tables = pd.read_csv(root / "tables.csv", encoding="utf-8",
                         dtype={"name": str, "table": str, "file": str, "rows": "int64",
                                "description": str})
    return datasets, tables


def _check_name(name: str, known: list[str], what: str = "dataset") -> None:
    if name in known:
        return
    close = close_matches(name, known, n=1)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    msg = (f"Unknown {what} `{name}`.{hint} Available: {', '.join(known)}. "
           "See `tk.datasets.list_datasets()`.")
    raise KeyError(msg)


def list_datasets(name: str | None = None, *, by_table: bool = False) -> pd.DataFrame:
    """The registry of bundled datasets.

    Parameters
    ----------
    name : str, optional
        Only this dataset (the closest name is suggested for an unknown one).
    by_table : bool, default False
        One row per table (with its file and row count) instead of one per dataset.

    Returns
    -------
    pandas.DataFrame
        One row per dataset with columns ``name`` (what to pass to
        :func:`load_dataset`), ``description``, ``tables`` (table names, comma
        separated), ``rows`` (int: rows over all tables), ``source`` (original
        publication), ``licence`` and ``useful_for``. With ``by_table=True``:
        ``name, table, file, rows, description``.

    Raises
    ------
    KeyError
        For an unknown `name` (the closest name is suggested).

    Examples
    --------
    >>> reg = tk.datasets.list_datasets()
    >>> reg.loc[reg["name"] == "karate_club", ["tables", "rows"]].to_dict("records")
    [{'tables': 'edges, members', 'rows': 112}]
    >>> tk.datasets.list_datasets("karate_club", by_table=True)[["table", "rows"]].to_dict(
    ...     "records")
    [{'table': 'edges', 'rows': 78}, {'table': 'members', 'rows': 34}]
    """
    datasets, tables = _registry(_root())
    if name is not None:
        _check_name(name, datasets["name"].tolist())
        datasets = datasets[datasets["name"] == name]
        tables = tables[tables["name"] == name]
    if by_table:
        return tables[TABLE_COLUMNS].reset_index(drop=True)
    grouped = tables.groupby("name", sort=False)
    out = datasets.reset_index(drop=True)
    out["tables"] = out["name"].map(grouped["table"].agg(", ".join))
    out["rows"] = out["name"].map(grouped["rows"].sum()).astype("int64")
    return out[REGISTRY_COLUMNS]


def data_path(name: str) -> Path:
    """Folder of a bundled dataset's files and datasheet (``README.md``).

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    pathlib.Path
        The folder (inside the installed package, or ``datasets/`` of a checkout).

    Raises
    ------
    KeyError
        For an unknown name (the closest name is suggested).

    Examples
    --------
    >>> (tk.datasets.data_path("demo") / "study.yaml").is_file()
    True
    """
    root = _root()
    datasets, _ = _registry(root)
    _check_name(name, datasets["name"].tolist())
    return root / name


def load_study(name: str = "demo") -> Study:
    """Load a bundled study through its manifest, as a researcher loads their own.

    Parameters
    ----------
    name : str, default "demo"
        The study; ``"demo"`` is the fictional district study (see its datasheet,
        ``tk.datasets.data_path("demo") / "README.md"``).

    Returns
    -------
    Study
        ``tk.read_study(<bundled>/demo/study.yaml)``: units, participants,
        sessions, attendance, submissions and survey, with codebook, survey
        design (weights, strata, cluster, fpc) and scales.

    Raises
    ------
    KeyError
        When `name` is not a bundled study.

    Examples
    --------
    >>> study = tk.datasets.load_study("demo")
    >>> study.tables
    ('units', 'participants', 'sessions', 'attendance', 'submissions', 'survey', 'activities')
    """
    from toolkit.io import read_study

    folder = data_path(name)
    manifest = folder / "study.yaml"
    if not manifest.is_file():
        studies = [n for n in list_datasets()["name"] if (_root() / n / "study.yaml").is_file()]
        msg = (f"`{name}` is a dataset but not a study (it has no study.yaml). Studies: "
               f"{', '.join(studies)}. Load its tables with `tk.datasets.load_dataset`.")
        raise KeyError(msg)
    from toolkit.errors import ToolkitWarning

    with warnings.catch_warnings():
        # The bundled studies' 98/99 codes are documented in their datasheets; the load
        # record of the survey table still lists every cell that held one.
        warnings.filterwarnings("ignore", message=r".*held declared missing codes",
                                category=ToolkitWarning)
        return read_study(manifest)


def load_dataset(name: str, *, table: str | None = None) -> pd.DataFrame:
    """One table of a bundled dataset as a DataFrame.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.
    table : str, optional
        Which table (see ``list_datasets(by_table=True)``); the dataset's first
        table when omitted (``attendance`` for Davis, ``edges`` for the
        Florentine families and the karate club). For ``"demo"``, the six study
        tables are read through the manifest and ``table="panel"`` gives the
        deliberation panel (long format, ``wave`` 前测/后测).

    Returns
    -------
    pandas.DataFrame
        The table; columns are described in the dataset's datasheet.

    Raises
    ------
    KeyError
        For an unknown dataset or table (the closest name is suggested).

    Examples
    --------
    >>> fam = tk.datasets.load_dataset("florentine_families", table="families")
    >>> fam.loc[fam["family"] == "Medici", ["wealth", "priorates"]].to_dict("records")
    [{'wealth': 103, 'priorates': 53}]
    """
    root = _root()
    _, tables = _registry(root)
    _check_name(name, sorted(set(tables["name"])))
    mine = tables[tables["name"] == name]
    if table is None:
        table = str(mine["table"].iloc[0])
    _check_name(table, mine["table"].tolist(), what=f"table of `{name}`")
    file = root / name / str(mine.loc[mine["table"] == table, "file"].iloc[0])
    if name == "demo":
        return _load_demo_table(table, file)
    return _read_classic(file)


def _load_demo_table(table: str, file: Path) -> pd.DataFrame:
    import toolkit as tk

    if table == "panel":
        return tk.io.read_table(file, kind="survey")
    return load_study("demo").table(table)


_ID_COLUMNS = {"participant_id", "session_id", "family1", "family2", "family"}


def _read_classic(file: Path) -> pd.DataFrame:
    header = pd.read_csv(file, encoding="utf-8", nrows=0).columns
    dtypes: dict[str, Any] = {c: str for c in header if c in _ID_COLUMNS}
    return pd.read_csv(file, encoding="utf-8", dtype=dtypes)


#: Columns of :func:`planted_effects`.
PLANTED_COLUMNS = ["name", "table", "true_value", "scale", "estimate", "model"]


def planted_effects(name: str = "demo") -> pd.DataFrame:
    """The effects planted in a synthetic dataset, with their true values.

    Parameters
    ----------
    name : str, default "demo"
        A generated dataset with a ``planted_effects.yaml`` file.

    Returns
    -------
    pandas.DataFrame
        One row per effect: ``name``, ``table`` (where to estimate it; ``panel``
        is ``load_dataset("demo", table="panel")``), ``true_value`` (float),
        ``scale`` (log-odds, rate ratio …), ``estimate`` (how to estimate it) and
        ``model`` (the generating model).

    Raises
    ------
    KeyError
        For an unknown dataset, or one without planted effects.

    Examples
    --------
    >>> eff = tk.datasets.planted_effects("demo").set_index("name")
    >>> float(eff.loc["attendance_satisfaction", "true_value"])
    0.6
    >>> eff.loc["room_sessions", "scale"]
    'rate ratio'
    """
    import yaml

    path = data_path(name) / "planted_effects.yaml"
    if not path.is_file():
        msg = (f"`{name}` has no planted effects (no planted_effects.yaml); only generated "
               "datasets such as `demo` have them.")
        raise KeyError(msg)
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = [{k: e.get(k) for k in PLANTED_COLUMNS} for e in spec["effects"]]
    frame = pd.DataFrame(rows, columns=PLANTED_COLUMNS)
    frame["true_value"] = frame["true_value"].astype("float64")
    return frame
