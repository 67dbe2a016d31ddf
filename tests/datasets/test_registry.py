"""The dataset registry: every entry loads, with the row counts the registry states."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk
from toolkit.datasets import REGISTRY_COLUMNS, TABLE_COLUMNS


def test_list_datasets_columns_and_names():
    reg = tk.datasets.list_datasets()
    assert list(reg.columns) == REGISTRY_COLUMNS
    assert reg["name"].tolist() == ["demo", "davis_southern_women", "florentine_families",
                                    "karate_club"]
    assert reg["rows"].dtype == "int64"
    assert reg[REGISTRY_COLUMNS].notna().all().all()


def test_list_datasets_by_table_adds_up():
    reg = tk.datasets.list_datasets()
    per_table = tk.datasets.list_datasets(by_table=True)
    assert list(per_table.columns) == TABLE_COLUMNS
    totals = per_table.groupby("name")["rows"].sum()
    assert (reg.set_index("name")["rows"] == totals.reindex(reg["name"])).all()


@pytest.mark.parametrize(
    ("name", "table"),
    [(r.name, r.table) for r in tk.datasets.list_datasets(by_table=True).itertuples()
     if r.name != "demo"],
)
def test_every_classic_table_loads_with_its_row_count(name, table):
    per_table = tk.datasets.list_datasets(by_table=True).set_index(["name", "table"])
    frame = tk.datasets.load_dataset(name, table=table)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == per_table.loc[(name, table), "rows"]


def test_every_demo_table_has_its_row_count(demo_study):
    per_table = tk.datasets.list_datasets(by_table=True)
    demo = per_table[per_table["name"] == "demo"].set_index("table")["rows"]
    for table in demo_study.tables:
        assert len(demo_study.table(table)) == demo[table], table
    panel = tk.datasets.load_dataset("demo", table="panel")
    assert len(panel) == demo["panel"]


def test_every_dataset_has_a_datasheet():
    for name in tk.datasets.list_datasets()["name"]:
        sheet = tk.datasets.data_path(name) / "README.md"
        text = sheet.read_text(encoding="utf-8")
        assert "licence" in text.lower() or "Licence" in text, name


def test_list_one_dataset():
    one = tk.datasets.list_datasets("karate_club")
    assert one["name"].tolist() == ["karate_club"]
    assert one["rows"].tolist() == [78 + 34]
    with pytest.raises(KeyError, match="karate_club"):
        tk.datasets.list_datasets("karate")


def test_unknown_names_suggest_the_closest():
    with pytest.raises(KeyError, match="karate_club"):
        tk.datasets.load_dataset("karate")
    with pytest.raises(KeyError, match="families"):
        tk.datasets.load_dataset("florentine_families", table="family")
    with pytest.raises(KeyError, match="not a study"):
        tk.datasets.load_study("karate_club")


def test_load_dataset_returns_a_fresh_frame_each_time():
    a = tk.datasets.load_dataset("karate_club")
    a.loc[0, "weight"] = -1
    b = tk.datasets.load_dataset("karate_club")
    assert b.loc[0, "weight"] != -1
