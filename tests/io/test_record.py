"""The load record's own behaviour."""

from __future__ import annotations

from toolkit.io.record import LoadRecord


def test_repr_does_not_list_every_row_number():
    rec = LoadRecord(file="survey.sav", rows_read=100_000, rows_kept=100_000,
                     row_numbers=list(range(2, 100_002)))
    assert len(repr(rec)) < 500
