"""`pmpm --help`: every command, option and argument says what it is for."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from pmpm_desktop.cli import build_parser, main


def _parsers(
    parser: argparse.ArgumentParser, path: str = "pmpm"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, f"{path} {name}")


def _missing_help() -> list[str]:
    missing = []
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                described = {a.dest for a in action._choices_actions if a.help}
                missing += [f"{path} {name}" for name in action.choices if name not in described]
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    return missing


def test_every_command_option_and_argument_has_help() -> None:
    assert _missing_help() == []


def test_month_options_say_yyyy_mm_and_payer_wants_the_code() -> None:
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if action.dest in ("start", "end", "month"):
                assert "YYYY-MM" in (action.help or "") + str(action.metavar), path
                if "--from" in action.option_strings and "audit" not in path:
                    assert "first month" in (action.help or ""), path
            if "--payer" in action.option_strings:
                assert "code" in (action.help or ""), path


def test_file_arguments_name_their_formats(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("roster", "remit", "rates"):
        with pytest.raises(SystemExit):
            main([command, "import", "--help"])
        out = capsys.readouterr().out
        assert ".xlsx" in out and ".csv" in out, command
    with pytest.raises(SystemExit):
        main(["roster", "import", "--help"])
    assert "X12 834" in capsys.readouterr().out


def test_top_level_help_lists_every_command_with_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("imports", "report", "discrepancies", "reconcile", "audit", "db"):
        line = next(x for x in out.splitlines() if x.strip().startswith(command + " "))
        assert len(line.split()) > 2, line
    assert "exit codes" in out
