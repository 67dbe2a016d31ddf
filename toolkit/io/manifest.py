"""Reading a study manifest (``study.yaml``) into a :class:`toolkit.Study`.

A manifest names the files of one study and how to read them, so that a whole
folder from a district office loads with one call and the reading is written
down next to the data. The format (every key optional unless marked):

.. code-block:: yaml

    name: 某区基层协商评估 2023          # title of the study
    description: 区政协委托课题的数据    # free text, for the reader of the manifest
    language: zh                         # zh or en: language of labels in output
    as_of: 2023-12-31                    # date the data describe up to (export date)
    tables:                              # one entry per canonical table
      sessions:
        file: 活动台账.xlsx              # required; relative to this manifest
        sheet: 协商活动                  # Excel sheet (name or 0-based position)
        header_rows: 2                   # rows the header occupies
        mapping: {载体名称: platform}    # file header → canonical column
        missing_codes: {}                # code → meaning, set to missing
        encoding: gb18030                # text encoding of a CSV (detected if omitted)
      participants: 参与者名单.csv       # a file name alone is enough
      survey:
        file: 居民调查.sav
        missing_codes: {98: 不知道, 99: 拒答}
    design:                              # survey design (columns of the survey table)
      weights: weight
      strata: stratum
      cluster: cluster                   # or two stages: [village, household]
      fpc: fpc                           # one column per stage: [N_villages, N_households]
      lonely_psu: fail                   # fail, adjust, average, certainty or remove
    scales:
      satisfaction:
        items: [q1, q2, q3]
        reverse: [q3]                    # reverse-keyed items (scored min + max - x)
        min: 1
        max: 5
        label: 满意度
    personal:
      pseudonymise: true                 # replace names, ID-card and phone numbers
      key_env: TOOLKIT_KEY               # environment variable holding the key

The key of the keyed hash is never written in the manifest: it is read from the
environment variable named by ``key_env``. An unknown key anywhere is an error
naming the key, the manifest and the closest known key.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolkit._checks import LANGS, check_choice, close_matches
from toolkit.errors import ArgumentError, DesignError, ManifestError, ReadError, ToolkitWarning
from toolkit.schema import TABLE_NAMES, TABLES

__all__ = ["MANIFEST_NAMES", "read_study"]

#: File names looked for when `read_study` is given a folder.
MANIFEST_NAMES = ("study.yaml", "study.yml")

_TOP_KEYS = ("name", "description", "language", "as_of", "tables", "design", "scales",
             "personal")
_TABLE_KEYS = ("file", "sheet", "header_rows", "mapping", "missing_codes", "encoding")
_DESIGN_KEYS = ("weights", "strata", "cluster", "fpc", "lonely_psu")
_SCALE_KEYS = ("items", "reverse", "min", "max", "label")
_PERSONAL_KEYS = ("pseudonymise", "key_env")


def read_study(path: str | os.PathLike[str]) -> Any:
    r"""Read the tables named in a ``study.yaml`` manifest into a Study.

    Parameters
    ----------
    path : str or path-like
        The manifest file, or the folder holding ``study.yaml``. File paths in the
        manifest are relative to the manifest's folder; Chinese names are fine.

    Returns
    -------
    Study
        The tables (each read with ``tk.io.read_table(file, kind=<table>, ...)``
        and carrying its load record), survey design, scales and codebook, with
        personal columns marked (and pseudonymised when the manifest asks).
        Validate it with ``study.validate()``.

    Raises
    ------
    FileNotFoundError
        When the manifest or a file it names does not exist (close names suggested).
    ManifestError
        When the manifest is malformed: an unknown key (named, with the file and
        the closest known key), a wrong type, a key written in the manifest, or a
        missing key environment variable.

    Notes
    -----
    The format is described in the module docstring and the README
    ("The study manifest").

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "参与记录.csv").write_text(
    ...     "活动编号,参与者编号\nS1,P1\nS1,P2\n", encoding="utf-8-sig")
    >>> _ = (folder / "study.yaml").write_text(
    ...     "name: 示例\ntables:\n  attendance: 参与记录.csv\n", encoding="utf-8")
    >>> study = tk.read_study(folder)
    >>> study.tables, len(study.table("attendance"))
    (('attendance',), 2)
    """
    manifest = _manifest_path(Path(path))
    spec = _load_yaml(manifest)
    where = str(manifest)
    _check_keys(spec, _TOP_KEYS, where, "the top level")

    name = spec.get("name") or manifest.parent.name or "Study"
    language = spec.get("language", "zh")
    try:
        check_choice(language, LANGS, param="language")
    except ArgumentError as err:
        msg = f"{where}: {err}"
        raise ManifestError(msg) from None
    as_of = _as_of(spec.get("as_of"), where)
    tables_spec = spec.get("tables") or {}
    if not isinstance(tables_spec, Mapping) or not tables_spec:
        msg = (f"{where}: `tables` must list at least one table, e.g. "
               "`tables: {sessions: 活动台账.xlsx}`.")
        raise ManifestError(msg)
    _check_keys(tables_spec, TABLE_NAMES, where, "`tables`", what="table")

    design = _design(_section(spec, "design", _DESIGN_KEYS, where), where)
    scales = _scales(spec.get("scales"), where)
    personal = _section(spec, "personal", _PERSONAL_KEYS, where, forbidden={
        "key": "never write the key in the manifest; put it in an environment variable "
               "and name that variable with `key_env`"})
    key = _pseudonym_key(personal, where)

    frames: dict[str, Any] = {}
    for kind, entry in tables_spec.items():
        frames[kind] = _read_one(kind, entry, manifest, where)
    if key is not None:
        frames = {kind: _pseudonymise(frame, kind, key) for kind, frame in frames.items()}

    from toolkit.study import Study

    return Study(**frames, name=str(name), design=design or None, scales=scales,
                 lang=language, source=where, as_of=as_of)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def _manifest_path(path: Path) -> Path:
    if path.is_dir():
        for name in MANIFEST_NAMES:
            if (path / name).is_file():
                return path / name
        found = sorted(p.name for p in path.glob("*.y*ml"))
        hint = f" YAML files there: {', '.join(found)}." if found else ""
        msg = (f"No study.yaml in the folder {path}.{hint} Write a manifest named "
               "study.yaml (see the README, \"The study manifest\") or pass its path.")
        raise FileNotFoundError(msg)
    if path.exists():
        from toolkit.io.files import require_regular_file

        return require_regular_file(path, what="manifest")
    if not path.is_file():
        msg = f"The manifest {path} does not exist.{_close_files(path)}"
        raise FileNotFoundError(msg)
    return path


def _close_files(path: Path) -> str:
    folder = path.parent
    if not folder.is_dir():
        return f" The folder {folder} does not exist either."
    names = sorted(p.name for p in folder.iterdir())
    close = close_matches(path.name, names, n=3, cutoff=0.5)
    if close:
        return f" Did you mean: {', '.join(close)}?"
    return ""


#: Largest manifest read (a manifest names files; it holds no data).
MAX_BYTES = 1 << 20
#: Most YAML nodes a manifest may hold once aliases are expanded (billion laughs).
MAX_NODES = 10_000
#: Deepest nesting of mappings and lists a manifest may have.
MAX_DEPTH = 20
#: YAML tags a manifest may use: plain scalars, lists, mappings (and ``<<`` merges).
_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq",
                                             "map", "merge")}


def _manifest_text(manifest: Path) -> str:
    """The manifest decoded: UTF-8 (BOM or not), else GBK as Notepad on Chinese Windows saves."""
    from toolkit.io.encoding import decide
    from toolkit.io.files import require_regular_file

    require_regular_file(manifest, what="manifest")
    size = manifest.stat().st_size
    if size > MAX_BYTES:
        msg = (f"{manifest}: the manifest is {size:,} bytes; a study.yaml names files and "
               f"settings and is never larger than {MAX_BYTES:,} bytes. Check that this is "
               "the manifest and not a data file.")
        raise ManifestError(msg)
    raw = manifest.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        first_bad = err.start
    try:
        encoding, damaged = decide(raw, file=manifest)
    except ReadError as exc:
        msg = f"{manifest}: {exc}"
        raise ManifestError(msg) from None
    if damaged or encoding != "gb18030":
        line = raw[:first_bad].count(b"\n") + 1
        msg = (f"{manifest}: byte {first_bad} (line {line}) is not valid UTF-8. Save the "
               "manifest as UTF-8 (in Notepad: File → Save as → Encoding: UTF-8).")
        raise ManifestError(msg)
    text = raw.decode("gb18030")
    msg = (f"{manifest} is saved in GBK, not UTF-8; it was read as GB18030. Save it as UTF-8 "
           "(in Notepad: File → Save as → Encoding: UTF-8) so that every program reads it "
           "the same way.")
    warnings.warn(msg, ToolkitWarning, stacklevel=4)
    return text


def _where(node: Any) -> str:
    mark = getattr(node, "start_mark", None)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"


def _check_nodes(root: Any, manifest: Path) -> None:
    """Refuse what a manifest never needs: foreign tags, duplicate keys, alias bombs, depth.

    The expanded size is counted once per node (aliases share nodes), so the
    check itself never expands an alias.
    """
    import yaml

    sizes: dict[int, int] = {}
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_NODES:
                msg = (f"{manifest}: the manifest expands to more than {MAX_NODES:,} values "
                       f"(YAML aliases `*name` repeating anchors `&name`, {_where(node)}). "
                       "A manifest never needs that many: write each setting once, without "
                       "nested aliases.")
                raise ManifestError(msg)
            continue
        if key in sizes:
            continue
        if depth > MAX_DEPTH:
            msg = (f"{manifest}: values nested more than {MAX_DEPTH} levels deep "
                   f"({_where(node)}). A manifest needs at most four levels (tables → "
                   "sessions → mapping → header); check the indentation.")
            raise ManifestError(msg)
        if node.tag not in _TAGS:
            short = node.tag.replace("tag:yaml.org,2002:", "!!")
            msg = (f"{manifest}: the tag `{short}` ({_where(node)}) is not allowed in a "
                   "manifest, which holds only text, numbers, true/false, lists and "
                   f"mappings. Remove `{short}` and write the value plainly.")
            raise ManifestError(msg)
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, Any] = {}
            for k, _ in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value in seen:
                    msg = (f"{manifest}: `{k.value}` is given twice ({_where(seen[k.value])} "
                           f"and {_where(k)}); the second would silently replace the first. "
                           "Keep one of them.")
                    raise ManifestError(msg)
                if isinstance(k, yaml.ScalarNode):
                    seen[k.value] = k
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in _children(node))


def _children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _load_yaml(manifest: Path) -> dict[str, Any]:
    import yaml

    class _Loader(yaml.SafeLoader):
        """Safe YAML without implicit dates: `as_of` is parsed (and checked) here."""

    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    text = _manifest_text(manifest)
    loader = _Loader(text)  # a SafeLoader subclass: safe
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_nodes(node, manifest)
        spec = loader.construct_document(node) if node is not None else None
    except RecursionError:
        msg = (f"{manifest}: values nested too deeply to read. A manifest needs at most four "
               "levels (tables → sessions → mapping → header); check the brackets and the "
               "indentation.")
        raise ManifestError(msg) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        msg = (f"{manifest}: not valid YAML{line}: {getattr(exc, 'problem', exc)}. Check the "
               "indentation (spaces, not tabs) and that each key is followed by `: `.")
        raise ManifestError(msg) from exc
    finally:
        loader.dispose()
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        msg = (f"{manifest}: the manifest must be a mapping of keys (name, tables, design, "
               f"scales …), not a {type(spec).__name__}.")
        raise ManifestError(msg)
    return dict(spec)


def _check_keys(
    spec: Mapping[str, Any],
    known: tuple[str, ...],
    where: str,
    place: str,
    *,
    what: str = "key",
    forbidden: Mapping[str, str] | None = None,
) -> None:
    for key in spec:
        if forbidden and key in forbidden:
            msg = f"{where}: `{key}` in {place}: {forbidden[key]}."
            raise ManifestError(msg)
        if key not in known:
            close = close_matches(key, known, n=1, cutoff=0.5)
            hint = f" Did you mean `{close[0]}`?" if close else ""
            msg = (f"{where}: unknown {what} `{key}` in {place}.{hint} Known {what}s: "
                   f"{', '.join(known)}.")
            raise ManifestError(msg)


def _section(spec: Mapping[str, Any], name: str, known: tuple[str, ...], where: str,
             forbidden: Mapping[str, str] | None = None) -> dict[str, Any]:
    section = spec.get(name)
    if section is None:
        return {}
    if not isinstance(section, Mapping):
        msg = f"{where}: `{name}` must be a mapping of {', '.join(known)}."
        raise ManifestError(msg)
    _check_keys(section, known, where, f"`{name}`", forbidden=forbidden)
    return dict(section)


def _design(section: dict[str, Any], where: str) -> Any:
    """The ``design:`` section as a DesignSpec (one or two stages, lonely_psu), checked."""
    if not section:
        return None
    from toolkit.study import DesignSpec

    try:
        return DesignSpec(**section)
    except DesignError as err:
        msg = f"{where}: `design`: {err}"
        raise ManifestError(msg) from err


def _as_of(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        msg = f"{where}: `as_of` must be a date written as 2023-12-31, not {value!r}."
        raise ManifestError(msg) from exc


def _scales(spec: Any, where: str) -> dict[str, dict[str, Any]]:
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        msg = f"{where}: `scales` must map each scale's name to its items."
        raise ManifestError(msg)
    out = {}
    for name, entry in spec.items():
        place = f"`scales.{name}`"
        if isinstance(entry, list):
            entry = {"items": entry}
        if not isinstance(entry, Mapping):
            msg = f"{where}: {place} must be a list of items or a mapping with `items`."
            raise ManifestError(msg)
        _check_keys(entry, _SCALE_KEYS, where, place)
        items = entry.get("items")
        if not isinstance(items, list) or not items:
            msg = f"{where}: {place} needs `items`, a list of item columns such as [q1, q2]."
            raise ManifestError(msg)
        items = [str(i) for i in items]
        reverse = [str(i) for i in entry.get("reverse") or []]
        stray = [i for i in reverse if i not in items]
        if stray:
            msg = (f"{where}: {place}: reverse-keyed item(s) {stray} are not among its "
                   f"`items` {items}.")
            raise ManifestError(msg)
        low, high = entry.get("min", 1), entry.get("max", 5)
        if not (isinstance(low, int) and isinstance(high, int) and low < high):
            msg = (f"{where}: {place}: `min` and `max` must be whole numbers with min < max "
                   f"(got {low!r} and {high!r}).")
            raise ManifestError(msg)
        out[str(name)] = {"items": items, "reverse": reverse, "min": low, "max": high,
                          "label": entry.get("label")}
    return out


def _pseudonym_key(personal: Mapping[str, Any], where: str) -> str | None:
    flag = personal.get("pseudonymise", False)
    if not isinstance(flag, bool):
        msg = f"{where}: `personal.pseudonymise` must be true or false, not {flag!r}."
        raise ManifestError(msg)
    if not flag:
        return None
    env = personal.get("key_env", "TOOLKIT_KEY")
    key = os.environ.get(str(env))
    if not key:
        msg = (f"{where}: `personal.pseudonymise` is true but the environment variable "
               f"`{env}` (named by `key_env`) is not set. Set it before starting Python — "
               f"Windows PowerShell: $env:{env} = \"<a long secret>\"; macOS/Linux: "
               f"export {env}=\"<a long secret>\" — and keep the secret out of the manifest.")
        raise ManifestError(msg)
    return key


def _table_entry(kind: str, entry: Any, where: str) -> dict[str, Any]:
    if isinstance(entry, str | os.PathLike):
        return {"file": entry}
    if entry is None or isinstance(entry, int | float | bool | list):
        msg = (f"{where}: `tables.{kind}` must be a file name or a mapping with `file`, "
               f"not {entry!r}; write it as e.g. `{kind}: 活动台账.xlsx` (quote a name that is "
               "only digits).")
        raise ManifestError(msg)
    if not isinstance(entry, Mapping):
        msg = (f"{where}: `tables.{kind}` must be a file name or a mapping with `file`, "
               f"not {entry!r}.")
        raise ManifestError(msg)
    place = f"`tables.{kind}`"
    _check_keys(entry, _TABLE_KEYS, where, place)
    if not entry.get("file"):
        msg = f"{where}: {place} needs `file`, the path of the table's file."
        raise ManifestError(msg)
    if not isinstance(entry["file"], str):
        msg = (f"{where}: {place}: `file` must be the path of a file (text), not "
               f"{entry['file']!r}; write it as e.g. `file: 活动台账.xlsx` (quote a name that "
               "is only digits: `file: \"123.csv\"`).")
        raise ManifestError(msg)
    for key, kinds, example in (("sheet", (str, int), "a sheet name or 0-based index"),
                                ("encoding", (str,), "an encoding name such as gb18030"),
                                ("missing_codes", (list, Mapping), "a list or mapping of codes")):
        value = entry.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kinds)):
            msg = f"{where}: {place}: `{key}` must be {example}, not {value!r}."
            raise ManifestError(msg)
    header_rows = entry.get("header_rows")
    if header_rows is not None and not (isinstance(header_rows, int) and header_rows >= 1):
        msg = f"{where}: {place}: `header_rows` must be a whole number ≥ 1, not {header_rows!r}."
        raise ManifestError(msg)
    mapping = entry.get("mapping")
    if mapping is not None:
        if not isinstance(mapping, Mapping):
            msg = (f"{where}: {place}: `mapping` must map file headers to canonical columns, "
                   "e.g. `{载体名称: platform}`.")
            raise ManifestError(msg)
        if kind != "survey":  # survey items keep study-specific names
            names = TABLES[kind].column_names
            for header, target in mapping.items():
                if target not in names:
                    close = close_matches(target, names, n=1, cutoff=0.5)
                    hint = f" Did you mean `{close[0]}`?" if close else ""
                    msg = (f"{where}: {place}: `mapping` sends `{header}` to `{target}`, which "
                           f"is not a column of the {kind} table.{hint} Columns: "
                           f"{', '.join(names)}.")
                    raise ManifestError(msg)
        mapping = {str(k): str(v) for k, v in mapping.items()}
    return {**dict(entry), "mapping": mapping}


def _read_one(kind: str, entry: Any, manifest: Path, where: str) -> Any:
    import toolkit as tk

    spec = _table_entry(kind, entry, where)
    from toolkit.io.files import require_regular_file

    file = Path(spec["file"])
    if not file.is_absolute():
        file = manifest.parent / file
    if not file.exists():
        msg = (f"{where}: `tables.{kind}.file` names {spec['file']}, which does not exist "
               f"(looked for {file}).{_close_files(file)}")
        raise FileNotFoundError(msg)
    try:
        require_regular_file(file)
    except ReadError as exc:
        msg = f"{where}: `tables.{kind}.file`: {exc}"
        raise ReadError(msg) from None
    kwargs = {k: spec.get(k) for k in ("sheet", "header_rows", "mapping", "missing_codes",
                                       "encoding")}
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    try:
        frame = tk.io.read_table(file, kind=kind, **kwargs)
    except Exception as exc:
        exc.add_note(f"While reading `tables.{kind}` of the manifest {where}.")
        raise
    _note_outside(frame, spec["file"], file, manifest, kind)
    return frame


def _note_outside(frame: Any, given: str, file: Path, manifest: Path, kind: str) -> None:
    """Record a warning when a table's file lies outside the study folder."""
    folder = manifest.parent.resolve()
    target = file.resolve()
    if target.is_relative_to(folder):
        return
    if Path(given).is_absolute():
        how = "an absolute path"
    elif ".." in Path(given).parts:
        how = "a path with `..`"
    else:
        how = "a symbolic link"
    record = frame.attrs.get("load_record")
    if record is None:  # pragma: no cover - read_table always attaches one
        return
    record.problem(
        row=None, column=None, value=str(given), check="outside_study_folder",
        severity="warning",
        problem=(f"`tables.{kind}.file` ({given}) lies outside the study folder {folder}, "
                 f"reached by {how} (it is {target}); a copy of the folder would not "
                 "include it."),
        fix="Move the file into the study folder and name it relative to study.yaml.",
        problem_zh=(f"`tables.{kind}.file`（{given}）位于研究文件夹 {folder} 之外"
                    f"（实际为 {target}），复制文件夹时不会带上它。"),
        fix_zh="把文件移入研究文件夹，并在 study.yaml 中按相对路径填写。",
    )


def _pseudonymise(frame: Any, kind: str, key: str) -> Any:
    from toolkit.io.personal import find_personal, pseudonymise

    found = find_personal(frame, kind=kind)
    columns = list(found["column"])
    if not columns:
        return frame
    out = pseudonymise(frame, columns, key=key)
    for name, value in frame.attrs.items():
        out.attrs.setdefault(name, value)
    record = out.attrs.get("load_record")
    if record is not None:  # no example of a change keeps a value the table no longer has
        record.mask_columns(dict(zip(found["column"], found["kind"], strict=True)))
    return out
