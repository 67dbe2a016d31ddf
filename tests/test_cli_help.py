"""``toolkit --help``: every command and option explained in Chinese and English."""

from __future__ import annotations

import argparse
import re

import pytest

from toolkit.cli import build_parser, main

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{3,}")


def _parsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    out = {"toolkit": parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            out.update(action.choices)
    return out


def _bilingual(text: str | None) -> bool:
    return bool(text) and bool(_CJK.search(text)) and bool(_LATIN.search(text))


@pytest.mark.parametrize("name", sorted(_parsers()))  # a new command is covered too
def test_every_option_has_chinese_and_english_help(name):
    parser = _parsers()[name]
    assert _bilingual(parser.description), parser.description
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert _bilingual(choice.help), (name, choice.dest)
            continue
        assert _bilingual(action.help), (name, action.option_strings or action.dest)


@pytest.mark.parametrize("argv", [["--help"], ["demo", "--help"], ["validate", "-h"],
                                  ["report", "--help"]])
def test_help_output_is_bilingual(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法 / usage: toolkit")
    assert "选项 / options:" in out
    assert "显示本帮助并退出 / show this help message and exit" in out


def test_demo_help_states_where_it_writes(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "输出文件夹（默认 ./toolkit-demo/）" in out
    assert "output folder (default: ./toolkit-demo/)" in out
    assert "输出语言" in out
    assert "output language" in out


def test_report_help_explains_parameters_and_output(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "-p KEY VALUE, --parameter KEY VALUE 笔记本参数" in out
    assert "a notebook parameter, may be repeated" in out
    assert "(default: ./toolkit-report/)" in out
    assert "(default: html and docx)" in out
