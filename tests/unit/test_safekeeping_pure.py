"""The pure pieces of safekeeping: backup names and pruning, the reminder, sync folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.safekeeping.backup import (
    REMINDER_AFTER,
    backup_due,
    backup_name,
    backup_time,
    backups_to_prune,
)
from models.safekeeping.progress import Progress
from models.safekeeping.sync_folders import sync_client_for, sync_warning

NOW = dt.datetime(2026, 11, 30, 12, 0, 0)


def test_a_backup_name_carries_its_time_and_its_vault() -> None:
    name = backup_name("practice.iwvault", NOW)
    assert name == "practice-backup-20261130T120000000000Z.iwbackup"
    assert backup_time(name, "practice.iwvault") == NOW
    assert backup_time(name, "other.iwvault") is None
    assert backup_time("practice-backup-latest.iwbackup", "practice.iwvault") is None
    assert backup_time("practice.iwvault", "practice.iwvault") is None


@settings(max_examples=100, deadline=None)
@given(times=st.lists(st.datetimes(min_value=dt.datetime(2020, 1, 1),
                                   max_value=dt.datetime(2040, 1, 1)), unique=True,
                      max_size=15),
       keep=st.integers(min_value=0, max_value=20),
       others=st.lists(st.sampled_from(["notes.txt", "practice.iwvault",
                                        "other-backup-20261130T120000000000Z.iwbackup",
                                        "practice-backup-x.iwbackup"]), max_size=4))
def test_pruning_keeps_the_newest_n_and_touches_nothing_else(
    times: list[dt.datetime], keep: int, others: list[str]
) -> None:
    names = [backup_name("practice.iwvault", t) for t in times] + others
    pruned = backups_to_prune(names, "practice.iwvault", keep)
    kept = max(1, keep)
    newest_first = sorted(times, reverse=True)
    assert sorted(pruned) == sorted(backup_name("practice.iwvault", t)
                                    for t in newest_first[kept:])
    assert not set(pruned) & set(others)


def test_the_reminder_comes_after_a_week_or_when_never_backed_up() -> None:
    assert backup_due(None, NOW)
    assert not backup_due(NOW - dt.timedelta(days=6, hours=23), NOW)
    assert backup_due(NOW - REMINDER_AFTER - dt.timedelta(seconds=1), NOW)
    assert not backup_due(NOW - dt.timedelta(days=20), NOW, after=dt.timedelta(days=30))


@pytest.mark.parametrize(("marker", "is_dir", "client"), [
    (".dropbox", False, "Dropbox"),
    (".dropbox.cache", True, "Dropbox"),
    (".849C9593-D756-4E56-8D6E-42412F2A707B", False, "OneDrive"),
    (".tmp.drivedownload", True, "Google Drive"),
    (".sync_2c6b0a1f.db", False, "Nextcloud or ownCloud"),
    ("._sync_9f.db", False, "Nextcloud or ownCloud"),
    (".owncloudsync.log", False, "Nextcloud or ownCloud"),
    (".stfolder", True, "Syncthing"),
])
def test_a_sync_client_is_found_by_the_marker_in_any_parent(
    tmp_path: Path, marker: str, is_dir: bool, client: str
) -> None:
    root = tmp_path / "synced"
    deep = root / "records" / "2026"
    deep.mkdir(parents=True)
    (root / marker).mkdir() if is_dir else (root / marker).write_text("")
    vault = deep / "practice.iwvault"
    found = sync_client_for(vault)
    assert found is not None and found.client == client and found.root == root
    warning = sync_warning(vault)
    assert warning is not None and client in warning and "not synced" in warning


@pytest.mark.parametrize(("parts", "client"), [
    (("Users", "ana", "Library", "Mobile Documents", "com~apple~CloudDocs"), "iCloud Drive"),
    (("Users", "ana", "Library", "CloudStorage", "GoogleDrive-ana@example.org", "My Drive"),
     "Google Drive"),
    (("Users", "ana", "Library", "CloudStorage", "OneDrive-Personal"), "OneDrive"),
    (("home", "ana", "OneDrive - Example Clinic"), "OneDrive"),
    (("home", "ana", "Dropbox (Personal)"), "Dropbox"),
])
def test_a_sync_client_is_found_by_its_well_known_folder(
    tmp_path: Path, parts: tuple[str, ...], client: str
) -> None:
    folder = tmp_path.joinpath(*parts, "records")
    folder.mkdir(parents=True)
    found = sync_client_for(folder / "practice.iwvault")
    assert found is not None and found.client == client


def test_an_ordinary_folder_is_not_synced(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / ".hidden").write_text("")
    assert sync_client_for(tmp_path / "records" / "practice.iwvault") is None
    assert sync_warning(tmp_path / "records" / "practice.iwvault") is None


def test_progress_only_moves_forward_and_maps_each_part() -> None:
    seen: list[float] = []
    step = Progress(seen.append)
    first, second = step.part(0.0, 0.5), step.part(0.5, 1.0)
    for f in (0.0, 0.5, 0.25, 1.0):
        first(f)
    for f in (0.0, 1.0, 2.0):
        second(f)
    assert seen == [0.0, 0.25, 0.5, 1.0]
    Progress(None).to(0.5)  # no callback: nothing to call
