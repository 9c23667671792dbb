"""A vault made with any passphrase opens with exactly that passphrase; one that cannot be
text is refused with a message, not a traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.inputs import passphrase_problem
from models.vault import PassphraseError, WrongPassphraseError, create_vault, open_vault

pytestmark = pytest.mark.integration


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(passphrase=st.text(st.characters(codec=None, categories=None), min_size=1,
                          max_size=24))
def test_any_passphrase_opens_its_vault_and_only_its_vault(
    tmp_path_factory: pytest.TempPathFactory, passphrase: str
) -> None:
    path = tmp_path_factory.mktemp("pp") / "v.iwvault"
    try:
        create_vault(path, passphrase).close()
    except PassphraseError as exc:
        assert str(exc) == passphrase_problem(passphrase)  # the one rule, its one message
        assert not path.exists()
        return
    open_vault(path, passphrase).close()
    with pytest.raises(WrongPassphraseError):
        open_vault(path, passphrase + "x")
    if "\ud800" not in passphrase:
        with pytest.raises(PassphraseError):
            open_vault(path, passphrase + "\ud800")
