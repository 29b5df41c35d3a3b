"""Database errors become one sentence naming the database, never SQL text or member data."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pmpm_desktop.db import db_errors
from pmpm_desktop.db.database import Database, DatabaseError, open_database
from tests.unit.db_states import MEMBER, assert_clean


def _failed_insert(db: Database) -> DBAPIError:
    """A real error of a statement whose parameters are member data."""
    row = {"c": MEMBER[0], "n": f"{MEMBER[1]} {MEMBER[2]} {MEMBER[3]}"}
    insert = text("INSERT INTO payers (code, name) VALUES (:c, :n)")
    with db.engine.begin() as conn:
        conn.execute(insert, row)
    with pytest.raises(DBAPIError) as caught, db.engine.begin() as conn:
        conn.execute(insert, row)
    assert MEMBER[0] in str(caught.value)  # SQLAlchemy's own text carries it: we must not
    return caught.value


def test_a_failed_statement_is_explained_without_its_sql_or_parameters(
    db: Database, db_path: Path
) -> None:
    message = db_errors.explain(_failed_insert(db))
    assert message == (
        f"the database {db_path} reported an error (IntegrityError): nothing of this step was saved"
    )
    assert_clean(message)


def test_the_window_shows_the_same_sentence(db: Database) -> None:
    pytest.importorskip("PySide6")
    from pmpm_desktop.ui.dialogs import error_text

    exc = _failed_insert(db)
    assert error_text(exc) == (db_errors.explain(exc), None)


def test_an_unforeseen_error_shows_only_its_type(tmp_path: Path) -> None:
    pytest.importorskip("PySide6")
    from pmpm_desktop.ui.dialogs import error_text

    shown, details = error_text(KeyError(MEMBER[0]))
    assert "KeyError" in shown
    assert details is None
    assert_clean(shown)
    assert db_errors.explain(KeyError(MEMBER[0])) is None


def test_a_folder_given_as_the_database_cannot_be_opened(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(DatabaseError) as caught:
        open_database(folder)
    assert str(caught.value) == (
        f"cannot open the database {folder}: the file or its folder cannot be reached"
    )


def test_a_database_in_a_folder_that_cannot_be_made_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseError) as caught:
        open_database(blocker / "pmpm.sqlite3")
    assert (
        str(caught.value)
        == f"cannot create the database {blocker / 'pmpm.sqlite3'}: Not a directory"
    )


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_postgresql_server_that_is_not_there_is_named_without_its_password() -> None:
    pytest.importorskip("psycopg")
    url = f"postgresql+psycopg://clerk:s3cret@127.0.0.1:{_closed_port()}/pmpm"
    with pytest.raises(DatabaseError) as caught:
        open_database(url)
    message = str(caught.value)
    assert message == (
        f"cannot reach the database server of {url.replace('s3cret', '***')}: check that it is "
        "running and that the address is right"
    )


class _PgError(Exception):
    """Stands in for a driver error with a SQLSTATE (psycopg's ``sqlstate``)."""

    __module__ = "psycopg"

    def __init__(self, sqlstate: str, text: str) -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("state", "sentence"),
    [
        ("28P01", "the database server of {w} refused the user name or password: check them in "
         "the database address"),
        ("3D000", "the database {w} does not exist on its server: create it, or check the name"),
        ("23505", "the database {w} reported an error (_PgError): nothing of this step was saved"),
    ],
)  # fmt: skip
def test_server_errors_by_their_sqlstate(state: str, sentence: str) -> None:
    url = "postgresql+psycopg://clerk:s3cret@db.example/pmpm"
    exc: Any = _PgError(state, f"Key (member_id)=({MEMBER[0]}) already exists, {MEMBER[1]}")
    message = db_errors.explain(exc, url)
    assert message == sentence.format(w="postgresql+psycopg://clerk:***@db.example/pmpm")
    assert_clean(message or "")
