"""Errors the services raise for a person to read: what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """A request the domain refuses; the message is safe to show and never holds client data."""


class NotFoundError(DomainError):
    pass


class ValidationError(DomainError):
    """One or more fields are wrong; `problems` maps field name to a message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


class LockedError(DomainError):
    """The record is signed and can no longer change."""


class SigningError(DomainError):
    """The note does not yet meet its template; `problems` lists every one by field, and
    `cautions` the warnings still waiting for a reason."""

    def __init__(self, problems: Sequence[Any], cautions: Sequence[Any] = ()) -> None:
        self.problems = list(problems)
        self.cautions = list(cautions)
        parts = []
        if self.problems:
            count = len(self.problems)
            parts.append(f"{count} {'problem' if count == 1 else 'problems'} to fix")
        if self.cautions:
            count = len(self.cautions)
            parts.append(f"{count} {'warning needs' if count == 1 else 'warnings need'} a reason")
        super().__init__("The note cannot be signed yet: " + " and ".join(parts) + ".")


class VaultError(Exception):
    """Base for every error the vault reports to a person; messages never hold client data.

    `exit_code` is what the command line exits with for it."""

    exit_code = 1


class WrongPassphraseError(VaultError):
    exit_code = 3
