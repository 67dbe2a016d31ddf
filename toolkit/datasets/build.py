"""Rebuild the bundled datasets and their registry (maintainers' tool).

``python -m toolkit.datasets.build`` (from the project root) regenerates:

- ``datasets/demo/`` with :func:`toolkit.datasets.synth.write_demo` (seeded);
- the classic teaching networks from networkx's copies of the published data
  (``davis_southern_women``, ``florentine_families``, ``karate_club``), plus
  Padgett's business ties and family attributes, which networkx does not ship;
- ``datasets/tables.csv``: every table's file and row count.

``datasets/datasets.csv`` (descriptions, sources, licences) and the datasheets
(``datasets/<name>/README.md``) are written by hand.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import pandas as pd

__all__ = ["FLORENTINE_ATTRIBUTES", "FLORENTINE_BUSINESS", "main", "write_classic",
           "write_tables_registry"]

#: Padgett's business ties (loans, credits, joint partnerships), undirected, 15 ties
#: among 16 families (Padgett & Ansell 1993; as distributed with UCINET and R ``ergm``).
FLORENTINE_BUSINESS: tuple[tuple[str, str], ...] = (
    ("Barbadori", "Castellani"), ("Barbadori", "Ginori"), ("Barbadori", "Medici"),
    ("Barbadori", "Peruzzi"), ("Bischeri", "Guadagni"), ("Bischeri", "Lamberteschi"),
    ("Bischeri", "Peruzzi"), ("Castellani", "Lamberteschi"), ("Castellani", "Peruzzi"),
    ("Ginori", "Medici"), ("Guadagni", "Lamberteschi"), ("Lamberteschi", "Peruzzi"),
    ("Medici", "Pazzi"), ("Medici", "Salviati"), ("Medici", "Tornabuoni"),
)

#: family: (wealth in thousands of lira, 1427; seats on the civic council 1282–1344,
#: "priorates"; total ties in Padgett's full data), as distributed with UCINET/``ergm``.
FLORENTINE_ATTRIBUTES: dict[str, tuple[int, int, int]] = {
    "Acciaiuoli": (10, 53, 2), "Albizzi": (36, 65, 3), "Barbadori": (55, 0, 14),
    "Bischeri": (44, 12, 9), "Castellani": (20, 22, 18), "Ginori": (32, 0, 9),
    "Guadagni": (8, 21, 14), "Lamberteschi": (42, 0, 14), "Medici": (103, 53, 54),
    "Pazzi": (48, 0, 7), "Peruzzi": (49, 42, 32), "Pucci": (3, 0, 1),
    "Ridolfi": (27, 38, 4), "Salviati": (10, 35, 5), "Strozzi": (146, 74, 29),
    "Tornabuoni": (48, 0, 7),
}


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write_classic(root: str | Path) -> dict[str, Path]:
    """Write the classic teaching networks as CSV tables under `root`.

    Parameters
    ----------
    root : str or pathlib.Path
        The ``datasets/`` folder.

    Returns
    -------
    dict of str to pathlib.Path
        ``"<dataset>/<table>"`` → file written.
    """
    root = Path(root)
    out: dict[str, Path] = {}
    # Davis Southern Women: 18 women x 14 events, one row per attendance
    davis = nx.davis_southern_women_graph()
    women = davis.graph["top"]
    events = davis.graph["bottom"]
    rows = [(w, e) for w in women for e in events if davis.has_edge(w, e)]
    att = pd.DataFrame(rows, columns=["participant_id", "session_id"])
    out["davis_southern_women/attendance"] = root / "davis_southern_women" / "attendance.csv"
    _write_csv(att, out["davis_southern_women/attendance"])
    # Florentine families: marriage (networkx) and business (Padgett) ties, attributes
    flo = nx.florentine_families_graph()
    marriage = sorted(tuple(sorted(e)) for e in flo.edges())
    edges = pd.DataFrame(
        [(a, b, "marriage") for a, b in marriage]
        + [(a, b, "business") for a, b in FLORENTINE_BUSINESS],
        columns=["family1", "family2", "relation"],
    )
    out["florentine_families/edges"] = root / "florentine_families" / "edges.csv"
    _write_csv(edges, out["florentine_families/edges"])
    fam = pd.DataFrame(
        [(f, *v) for f, v in sorted(FLORENTINE_ATTRIBUTES.items())],
        columns=["family", "wealth", "priorates", "total_ties"],
    )
    out["florentine_families/families"] = root / "florentine_families" / "families.csv"
    _write_csv(fam, out["florentine_families/families"])
    # Zachary's karate club: weighted edges and the observed split
    karate = nx.karate_club_graph()
    kedges = pd.DataFrame(
        sorted((min(a, b), max(a, b), d["weight"]) for a, b, d in karate.edges(data=True)),
        columns=["node1", "node2", "weight"],
    )
    members = pd.DataFrame([(n, karate.nodes[n]["club"]) for n in sorted(karate)],
                           columns=["node", "club"])
    out["karate_club/edges"] = root / "karate_club" / "edges.csv"
    out["karate_club/members"] = root / "karate_club" / "members.csv"
    _write_csv(kedges, out["karate_club/edges"])
    _write_csv(members, out["karate_club/members"])
    return out


#: Tables of each dataset: (dataset, table, file, description).
TABLES: tuple[tuple[str, str, str, str], ...] = (
    ("demo", "units", "units.csv", "district, towns/streets, villages/communities, stations"),
    ("demo", "participants", "participants.csv", "members, deputies, four parties, others"),
    ("demo", "sessions", "sessions.xlsx", "consultation sessions 2022-2023"),
    ("demo", "attendance", "attendance.csv", "who attended which session, in which role"),
    ("demo", "submissions", "submissions.csv", "proposals, opinion information, speeches"),
    ("demo", "survey", "survey.sav", "resident survey, stratified cluster sample"),
    ("demo", "panel", "panel.sav", "before/after deliberation panel (long format)"),
    ("demo", "activities", "activities.xlsx",
     "members' activity ledger (履职台账): meetings, proposals, visits, training"),
    ("davis_southern_women", "attendance", "attendance.csv", "18 women x 14 events"),
    ("florentine_families", "edges", "edges.csv", "marriage and business ties"),
    ("florentine_families", "families", "families.csv", "wealth, priorates, total ties"),
    ("karate_club", "edges", "edges.csv", "78 weighted friendship ties"),
    ("karate_club", "members", "members.csv", "34 members and the faction each joined"),
)

def write_tables_registry(root: str | Path) -> Path:
    """Count every table's rows and write ``tables.csv`` under `root`.

    Parameters
    ----------
    root : str or pathlib.Path
        The ``datasets/`` folder, with every dataset already written.

    Returns
    -------
    pathlib.Path
        The registry file.
    """
    from toolkit.datasets.synth import DEFAULT_SEED, generate

    root = Path(root)
    demo = generate(DEFAULT_SEED)
    rows = []
    for name, table, file, description in TABLES:
        if name == "demo":
            n = len(demo[table])
        else:
            n = len(pd.read_csv(root / name / file, encoding="utf-8"))
        rows.append((name, table, file, n, description))
    frame = pd.DataFrame(rows, columns=["name", "table", "file", "rows", "description"])
    path = root / "tables.csv"
    _write_csv(frame, path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m toolkit.datasets.build [--root datasets] [--skip-demo]``."""
    parser = argparse.ArgumentParser(description="Rebuild the bundled datasets.")
    parser.add_argument("--root", default="datasets", help="the datasets/ folder")
    parser.add_argument("--skip-demo", action="store_true", help="keep datasets/demo as is")
    args = parser.parse_args(argv)
    root = Path(args.root)
    if not args.skip_demo:
        from toolkit.datasets.synth import write_demo

        write_demo(root / "demo")
    for key, path in write_classic(root).items():
        print(f"{key}: {path}")
    print(f"registry: {write_tables_registry(root)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
