"""The clinician's own details are put right after the vault is made: name, credentials and
licence, each checked by the rule the vault's creation uses, the change audited by field."""

from __future__ import annotations

import pytest

from models.backend import Backend
from models.errors import ValidationError
from models.inputs import ClinicianInput, validate_clinician


def test_name_credentials_and_licence_are_changed_and_audited(backend: Backend) -> None:
    doc = backend.practice.create_clinician("Dr Typo", "PsyD").value
    done = backend.practice.update_clinician(doc.id, ClinicianInput(
        "  Dr Tyra Okafor ", "PsyD, LMFT", "LMFT 123456 (California)"))
    assert backend.practice.clinician() == done.value
    assert (done.value.name, done.value.credentials, done.value.licence) == (
        "Dr Tyra Okafor", "PsyD, LMFT", "LMFT 123456 (California)")
    assert done.value.display == "Dr Tyra Okafor, PsyD, LMFT"
    event = backend.audit.trail(limit=1).entries[0]
    assert (event.what, event.who, event.detail) == (
        "Clinician's details changed", "Dr Tyra Okafor", "Changed: Name, Credentials, Licence")
    # The same again changes nothing and records nothing.
    backend.practice.update_clinician(doc.id, ClinicianInput(
        "Dr Tyra Okafor", "PsyD, LMFT", "LMFT 123456 (California)"))
    assert backend.audit.trail(limit=1).entries[0].id == event.id


@pytest.mark.parametrize(("data", "field", "words"), [
    (ClinicianInput("   "), "name", "Your name is required"),
    (ClinicianInput("\u200b"), "name", "Your name is required"),
    (ClinicianInput("Dr A", licence="x" * 201), "licence", "The licence is longer than 200"),
    (ClinicianInput("Dr A", credentials="Ps\x00yD"), "credentials", "This "),
])
def test_details_that_cannot_be_are_refused(backend: Backend, data: ClinicianInput,
                                            field: str, words: str) -> None:
    assert words in validate_clinician(data)[field]
    doc = backend.practice.create_clinician("Dr A").value
    with pytest.raises(ValidationError) as refused:
        backend.practice.update_clinician(doc.id, data)
    assert refused.value.problems == validate_clinician(data)
    assert backend.practice.clinician() == doc  # nothing kept
    if field != "licence":  # a new vault's clinician, by the same rule
        with pytest.raises(ValidationError):
            backend.practice.create_clinician(data.name, data.credentials)
