"""Reading office files into canonical tables, validating them, protecting personal data.

``tk.io`` reads; it knows nothing of networks or statistics.

- :func:`read_table` reads one file (CSV in UTF-8/BOM/GBK/GB18030, Excel with
  banners and merged two-row headers, SPSS, Stata, Parquet) and, given ``kind``,
  maps headers to canonical names and normalises values, keeping a
  :class:`LoadRecord` of every change (:func:`load_record`);
- :func:`read_study` reads a ``study.yaml`` manifest into a :class:`toolkit.Study`;
- :func:`validate` reports every problem of a table or study at once;
- :func:`find_personal`, :func:`pseudonymise` and :func:`mask` find, replace and
  mask personal data; :func:`personal_spans` and :func:`mask_text` find and mask it
  inside free text, :func:`free_text_columns` names the columns of free text;
- :func:`detect_encoding` tells the encoding of a text file's bytes;
- :func:`read_polis` reads a Polis conversation export;
- :func:`read_survey_export` reads a 问卷星/腾讯问卷 answer export (both modes) into a
  survey frame with a codebook; :func:`detect_platform` tells the platform from headers;
- :func:`scan` opens Parquet/CSV files larger than memory as a lazy DuckDB
  :class:`LazyTable` that ``tk.stats`` and ``tk.net`` functions accept.
"""

from __future__ import annotations

from toolkit._lazy import attach

__all__ = [
    "LazyTable",
    "LoadRecord",
    "detect_encoding",
    "detect_platform",
    "find_personal",
    "free_text_columns",
    "load_record",
    "mask",
    "mask_text",
    "personal_spans",
    "personal_values",
    "pseudonymise",
    "read_polis",
    "read_study",
    "read_survey_export",
    "read_table",
    "scan",
    "validate",
]

_LAZY = {
    "LoadRecord": "toolkit.io.record",
    "load_record": "toolkit.io.record",
    "read_table": "toolkit.io.read",
    "read_study": "toolkit.io.manifest",
    "validate": "toolkit.io.validation",
    "find_personal": "toolkit.io.personal",
    "free_text_columns": "toolkit.io.personal",
    "pseudonymise": "toolkit.io.personal",
    "mask": "toolkit.io.personal",
    "mask_text": "toolkit.io.personal",
    "personal_spans": "toolkit.io.personal",
    "personal_values": "toolkit.io.personal",
    "detect_encoding": "toolkit.io.encoding",
    "read_polis": "toolkit.io.polis",
    "read_survey_export": "toolkit.io.platforms",
    "detect_platform": "toolkit.io.platforms",
    "scan": "toolkit.io.lazy",
    "LazyTable": "toolkit.io.lazy",
}


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
