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

    paths = build_demo(out=Path(args.out), lang=args.lang, title=args.title,
                       commissioner=args.commissioner, team=args.team, date=args.date,
                       pdf=args.pdf)
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
        report = tk.read_study(path).validate(as_of=args.as_of)
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
        report = tk.validate(tk.io.read_table(path, kind=kind, sheet=args.sheet), kind=kind,
                             as_of=args.as_of)
    print(report.to_text(lang=args.lang, limit=None if args.all else 5))
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


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help with a bilingual usage line."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        shown = "用法 / usage: " if prefix is None else prefix
        super().add_usage(usage, actions, groups, prefix=shown)


def _h(zh: str, en: str) -> str:
    """A help text in Chinese and English (argparse fills ``%(default)s``)."""
    return f"{zh} / {en}"


def _parser(sub: argparse._SubParsersAction | None, name: str, zh: str, en: str,
            ) -> argparse.ArgumentParser:
    """A (sub)parser whose every heading and the ``-h`` option are bilingual."""
    kw = {"description": _h(zh, en), "add_help": False, "formatter_class": _Formatter}
    if sub is None:
        parser = argparse.ArgumentParser(prog=name, **kw)
    else:
        parser = sub.add_parser(name, help=_h(zh, en), **kw)
    parser._positionals.title = _h("位置参数", "positional arguments")
    parser._optionals.title = _h("选项", "options")
    parser.add_argument("-h", "--help", action="help",
                        help=_h("显示本帮助并退出", "show this help message and exit"))
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``toolkit`` command (every help text in 中文 and English)."""
    parser = _parser(None, "toolkit", "基层协商数据：校验文件、生成报告。",
                     "Grassroots consultation data: validate files, build reports.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                title=_h("命令", "commands"))
    lang = {"choices": ["zh", "en"], "default": "zh",
            "help": _h("输出语言：zh 中文、en 英文（默认 %(default)s）",
                       "output language: zh Chinese, en English (default: %(default)s)")}

    demo = _parser(sub, "demo", "用示例研究生成研究报告（docx、html 与图）",
                   "build the demo study's report (docx, html, figures)")
    demo.add_argument("--out", default="toolkit-demo",
                      help=_h("输出文件夹（默认 ./%(default)s/）",
                              "output folder (default: ./%(default)s/)"))
    demo.add_argument("--lang", **lang)
    demo.add_argument("--title", default=None,
                      help=_h("封面上的报告标题", "report title on the cover"))
    demo.add_argument("--commissioner", default=None,
                      help=_h("封面上的委托单位", "commissioning body on the cover"))
    demo.add_argument("--team", default=None,
                      help=_h("封面上的课题组", "research team on the cover"))
    demo.add_argument("--date", default=None,
                      help=_h("封面上的日期（默认今天）", "date on the cover (default: today)"))
    demo.add_argument("--pdf", action="store_true",
                      help=_h("同时生成 report.pdf（需要 LibreOffice）",
                              "also write report.pdf (needs LibreOffice)"))
    demo.set_defaults(func=_cmd_demo)

    val = _parser(sub, "validate", "校验一个数据文件或 study.yaml 研究清单",
                  "validate a file or a study.yaml manifest")
    val.add_argument("path", help=_h("数据文件、study.yaml 清单或其所在文件夹",
                                     "a data file, a study.yaml manifest or its folder"))
    val.add_argument("--kind", default=None,
                     help=_h("单个文件的表类型（sessions、participants……；默认从表头判断）",
                             "table kind of a single file (sessions, participants, ...; "
                             "default: told from its headers)"))
    val.add_argument("--sheet", default=None, help=_h("Excel 工作表名", "Excel sheet name"))
    val.add_argument("--lang", **lang)
    val.add_argument("--as-of", default=None, metavar="DATE",
                     help=_h("数据截止日期（如 2023-12-31），晚于它的日期会被报告；"
                             "默认取 study.yaml 的 as_of，否则为今天",
                             "date the data describe up to (e.g. 2023-12-31); later dates "
                             "are reported (default: as_of of study.yaml, else today)"))
    val.add_argument("--all", action="store_true",
                     help=_h("列出每一个问题（默认同类问题超过 5 处时只列前 5 处）",
                             "list every problem (default: the first 5 of more than 5 "
                             "similar ones)"))
    val.set_defaults(func=_cmd_validate)

    rep = _parser(sub, "report", "运行带参数的笔记本并导出",
                  "run a parameterised notebook and export it")
    rep.add_argument("notebook", help=_h("笔记本文件（.ipynb）", "the notebook (.ipynb)"))
    rep.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("KEY", "VALUE"),
                     help=_h("笔记本参数，可重复（如 -p district 云溪区）",
                             "a notebook parameter, may be repeated (e.g. -p district 云溪区)"))
    rep.add_argument("--out", default="toolkit-report",
                     help=_h("输出文件夹（默认 ./%(default)s/）",
                             "output folder (default: ./%(default)s/)"))
    rep.add_argument("--format", action="append", choices=["html", "docx", "ipynb"],
                     default=None,
                     help=_h("导出格式，可重复（默认 html 和 docx）",
                             "export format, may be repeated (default: html and docx)"))
    rep.set_defaults(func=_cmd_report)
    return parser


def _message(exc: BaseException) -> str:
    """The error's message with its notes (e.g. which manifest table was being read), masked."""
    from toolkit.io.personal import mask

    text = str(exc) if not isinstance(exc, KeyError) or not exc.args else str(exc.args[0])
    notes = getattr(exc, "__notes__", None) or []
    return str(mask("\n".join([text, *notes]), "text"))


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
