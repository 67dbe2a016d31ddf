"""Seeded generator of the demo district study (clearly fictional data with planted effects).

The demo study describes one invented district, 云溪区, at the scale of a real one
(Huichuan district, Zunyi: 14 towns/streets, 139 villages/communities, 13 member
liaison stations, 245 CPPCC members in 5 special committees and 1 office). Every
name, ID-card number and phone number is invented; ID-card numbers carry a valid
checksum but an unassigned region code (``5299xx``), and phone numbers use the
``170`` virtual-operator prefix, so that personal-data detection has something to
find without touching real people.

The generator draws from explicit models whose parameters are the *planted
effects* (:data:`PLANTED`); their true values hold exactly in expectation, so the
toolkit's analyses can be checked for recovering them. Run it with::

    python -m toolkit.datasets.synth --out datasets/demo

which writes the office-format files (``sessions.xlsx`` with a banner, two merged
header rows and a footer; ``participants.csv`` in GB18030; ``attendance.csv`` in
UTF-8 with BOM; ``survey.sav`` and ``panel.sav`` with value labels and 98/99
user-missing codes; ``units.csv``, ``submissions.csv``), the ``study.yaml``
manifest and ``planted_effects.yaml``. The same seed reproduces every file byte
for byte.

Examples
--------
>>> from toolkit.datasets.synth import PLANTED
>>> PLANTED["sat_attended_logodds"], PLANTED["room_rate_ratio"]
(0.6, 1.8)

``generate(seed)`` returns the tables in memory; ``write_demo(folder, seed=...)``
writes the files.

The generator is split along its parts: :mod:`.planted` (the true values),
:mod:`.names` (name pools and vocabularies), the model (:mod:`.district` — units and
participants; :mod:`.consultation` — sessions, attendance, submissions; :mod:`.survey`
— the resident survey and the deliberation panel), :mod:`.writers` (office file
formats) and :mod:`.manifest` (``study.yaml`` and ``planted_effects.yaml``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.datasets.synth.activities import adoption_topics, draw_activities
from toolkit.datasets.synth.consultation import (
    draw_attendance,
    draw_sessions,
    draw_submissions,
    member_betweenness,
)
from toolkit.datasets.synth.district import draw_participants, draw_units
from toolkit.datasets.synth.manifest import manifest_yaml, planted_yaml
from toolkit.datasets.synth.planted import DEFAULT_SEED, PLANTED
from toolkit.datasets.synth.survey import draw_panel, draw_survey
from toolkit.datasets.synth.texts import draw_minutes, draw_submission_texts
from toolkit.datasets.synth.writers import (
    write_activities_xlsx,
    write_attendance,
    write_panel_sav,
    write_participants,
    write_sessions_xlsx,
    write_submissions,
    write_survey_sav,
    write_truth,
    write_units,
)

__all__ = ["DEFAULT_SEED", "PLANTED", "generate", "generate_all", "main", "member_betweenness",
           "write_demo"]


def generate(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Generate the demo study's tables in memory (canonical columns).

    Parameters
    ----------
    seed : int, default DEFAULT_SEED
        Seed of the random number generator; the same seed gives the same tables.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``units``, ``participants``, ``sessions`` (with a helper ``level`` column:
        the level of the session's unit; ``body``: the minutes), ``attendance``,
        ``submissions`` (``body`` and the office's ``category`` last),
        ``survey`` (numeric codes, 98/99 kept), ``panel`` (long format,
        ``wave`` 1 = before, 2 = after) and ``activities`` (the members' ledger).
    """
    return generate_all(seed)[0]


def generate_all(seed: int = DEFAULT_SEED
                 ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The demo study's tables and its hidden truth (the files under ``truth/``).

    The tables of the first release (units … panel) draw from
    ``np.random.default_rng(seed)`` in a fixed order; the activity ledger and the
    texts draw from their own streams (``default_rng([seed, k])``), so adding them
    changed none of the earlier values.

    Returns
    -------
    (tables, truth) : tuple of dict
        `tables` as :func:`generate`; `truth`: ``member_engagement`` (one row per
        member), ``texts`` (one row per submission: true topic, office category,
        near-duplicate of) and ``personal_in_text`` (every name and phone number
        written into a text).
    """
    rng = np.random.default_rng(seed)
    units = draw_units(rng)
    participants, pools = draw_participants(rng, units)
    sessions, _ = draw_sessions(rng, units, pools)
    attendance = draw_attendance(rng, sessions, units, pools)
    submissions = draw_submissions(rng, participants, attendance, pools)
    survey = draw_survey(rng, units)
    panel = draw_panel(rng, survey)
    # new tables and columns: separate streams, after everything above
    activities, engagement = draw_activities(
        seed, participants=participants, units=units, submissions=submissions,
        attendance=attendance, topics=adoption_topics(submissions))
    texts, text_truth, personal_subs = draw_submission_texts(
        seed, submissions=submissions, participants=participants, units=units)
    submissions = submissions.merge(texts, on="submission_id", how="left", validate="1:1")
    minutes, personal_minutes = draw_minutes(seed, sessions=sessions, attendance=attendance,
                                             participants=participants, units=units)
    sessions = sessions.assign(body=minutes)
    tables = {"units": units, "participants": participants, "sessions": sessions,
              "attendance": attendance, "submissions": submissions, "survey": survey,
              "panel": panel, "activities": activities}
    truth = {"member_engagement": engagement, "texts": text_truth,
             "personal_in_text": pd.concat([personal_subs, personal_minutes],
                                           ignore_index=True)}
    return tables, truth


def write_demo(out: str | Path, *, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the demo study's files, manifest and planted effects into folder `out`.

    Parameters
    ----------
    out : str or pathlib.Path
        Folder to write into (created if needed). Existing files are replaced.
    seed : int, default DEFAULT_SEED
        Seed; the same seed reproduces every file byte for byte.

    Returns
    -------
    dict of str to pathlib.Path
        File kind → path written.
    """
    folder = Path(out)
    (folder / "truth").mkdir(parents=True, exist_ok=True)
    tables, truth = generate_all(seed)
    paths = {
        "units": folder / "units.csv",
        "participants": folder / "participants.csv",
        "sessions": folder / "sessions.xlsx",
        "attendance": folder / "attendance.csv",
        "submissions": folder / "submissions.csv",
        "survey": folder / "survey.sav",
        "panel": folder / "panel.sav",
        "activities": folder / "activities.xlsx",
        "manifest": folder / "study.yaml",
        "planted_effects": folder / "planted_effects.yaml",
        **{f"truth/{name}": folder / "truth" / f"{name}.csv" for name in truth},
    }
    write_units(tables["units"], paths["units"])
    write_participants(tables["participants"], paths["participants"])
    write_sessions_xlsx(tables["sessions"], paths["sessions"])
    write_attendance(tables["attendance"], paths["attendance"])
    write_submissions(tables["submissions"], paths["submissions"])
    write_survey_sav(tables["survey"], paths["survey"])
    write_panel_sav(tables["panel"], paths["panel"])
    write_activities_xlsx(tables["activities"], paths["activities"])
    for name, frame in truth.items():
        write_truth(frame, paths[f"truth/{name}"])
    paths["manifest"].write_text(manifest_yaml(), encoding="utf-8", newline="\n")
    paths["planted_effects"].write_text(planted_yaml(seed, tables=tables, truth=truth),
                                        encoding="utf-8", newline="\n")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m toolkit.datasets.synth --out datasets/demo [--seed N]``."""
    parser = argparse.ArgumentParser(description="Write the demo district study's files.")
    parser.add_argument("--out", default="datasets/demo", help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    for kind, path in write_demo(args.out, seed=args.seed).items():
        print(f"{kind}: {path}")
    return 0
