"""Command line: ``toolkit demo | validate | report``.

A thin shell over the public functions; everything it does can be done from a
notebook with the same calls.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _cmd_demo(args: argparse.Namespace) -> int:
    from toolkit.report.demo import build_demo

    paths = build_demo(out=Path(args.out), lang=args.lang)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    left_out = paths.get("not included")
    if left_out is not None and left_out.read_text(encoding="utf-8").strip():
        print("sections left out (see the report's data section):", file=sys.stderr)
        print(left_out.read_text(encoding="utf-8").rstrip(), file=sys.stderr)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    import toolkit as tk
    from toolkit.io.validation import guess_kind

    path = Path(args.path)
    if path.suffix.lower() in {".yaml", ".yml"} or path.is_dir():
        report = tk.read_study(path).validate()
    else:
        kind = args.kind
        if kind is None:
            raw = tk.io.read_table(path, sheet=args.sheet)
            kind = guess_kind(list(raw.columns))
            if kind is None:
                kinds = ", ".join(tk.schema.TABLE_NAMES)
                print(f"error: cannot tell which table {path.name} holds from its headers "
                      f"{list(map(str, raw.columns))}; give it with --kind ({kinds}).",
                      file=sys.stderr)
                return 2
            print(f"{path.name}: read as `{kind}` (from its headers; choose with --kind)",
                  file=sys.stderr)
        report = tk.validate(tk.io.read_table(path, kind=kind, sheet=args.sheet), kind=kind)
    print(report.to_text(lang=args.lang))
    return 0 if report.ok else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from toolkit.report import run_notebook

    parameters = {key: _parse_value(value) for key, value in args.parameter}
    paths = run_notebook(args.notebook, parameters=parameters, out=Path(args.out),
                         formats=tuple(args.format))
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


def _parse_value(text: str) -> object:
    """Turn a command-line parameter value into int, float, bool or keep it as text."""
    lowered = text.lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``toolkit`` command."""
    parser = argparse.ArgumentParser(
        prog="toolkit",
        description="Grassroots consultation data: validate files, build reports.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the demo study's report (docx, html, figures)")
    demo.add_argument("--out", default="toolkit-demo", help="output folder")
    demo.add_argument("--lang", choices=["zh", "en"], default="zh")
    demo.set_defaults(func=_cmd_demo)

    val = sub.add_parser("validate", help="validate a file or a study.yaml manifest")
    val.add_argument("path", help="a data file, a study.yaml manifest or its folder")
    val.add_argument("--kind", default=None,
                     help="table kind of a single file (sessions, participants, ...)")
    val.add_argument("--sheet", default=None, help="Excel sheet name")
    val.add_argument("--lang", choices=["zh", "en"], default="zh")
    val.set_defaults(func=_cmd_validate)

    rep = sub.add_parser("report", help="run a parameterised notebook and export it")
    rep.add_argument("notebook")
    rep.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("KEY", "VALUE"))
    rep.add_argument("--out", default="toolkit-report")
    rep.add_argument("--format", action="append", choices=["html", "docx", "ipynb"],
                     default=None)
    rep.set_defaults(func=_cmd_report)
    return parser


def _message(exc: BaseException) -> str:
    """The error's message with its notes (e.g. which manifest table was being read)."""
    text = str(exc) if not isinstance(exc, KeyError) or not exc.args else str(exc.args[0])
    notes = getattr(exc, "__notes__", None) or []
    return "\n".join([text, *notes])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Errors are printed as ``error: …`` on standard error with exit status 2,
    never as a traceback; set the environment variable ``TOOLKIT_TRACEBACK=1``
    to see the traceback of an unexpected error.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "format", "unset") is None:
        args.format = ["html", "docx"]
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the CLI prints a readable message, not a traceback
        from toolkit.errors import ToolkitError

        if isinstance(exc, ToolkitError | OSError):
            print(f"error: {_message(exc)}", file=sys.stderr)
            return 2
        if os.environ.get("TOOLKIT_TRACEBACK"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {_message(exc)}\n"
              "This is a fault in toolkit, not in your data: please report it with the "
              "command you ran (set TOOLKIT_TRACEBACK=1 to see where it happened).",
              file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
