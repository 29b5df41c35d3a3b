"""Keyrings for tests: one that keeps passwords in memory, one that fails like a locked one.

They stand in for the OS keyring (a third-party service), installed with ``keyring.set_keyring``
by the ``memory_keyring`` and ``broken_keyring`` fixtures; our code runs unchanged on them.
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


def _never_chosen(_cls: object) -> float:
    # keyring would otherwise pick these up when it looks for the best backend itself
    raise RuntimeError("a test keyring, installed only by set_keyring")


class MemoryKeyring(KeyringBackend):
    priority = classmethod(property(_never_chosen))  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


class LockedKeyring(MemoryKeyring):
    """Every call fails, as a keyring the user did not unlock does."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the keyring is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the keyring is locked")


def _installed(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    before = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    yield from _installed(backend)  # type: ignore[misc]


@pytest.fixture
def locked_keyring() -> Iterator[LockedKeyring]:
    backend = LockedKeyring()
    yield from _installed(backend)  # type: ignore[misc]
