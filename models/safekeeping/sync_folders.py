"""Is a folder kept in sync by a cloud client? (Dropbox, OneDrive, iCloud Drive, Google
Drive, Nextcloud/ownCloud, Syncthing.)

A sync client copies the vault while it is open, and its -wal and -shm files separately,
and can leave a damaged or conflicting copy; the vault belongs outside synced folders
(a backup file, written once and closed, is fine inside one). This looks only at names on
the disk: the folder and each of its parents, for the marks each client leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SyncFolder:
    client: str  # "Dropbox", "OneDrive", ...
    root: Path  # the synced folder the path is in


# A folder is the root of a synced tree when it holds one of these (files or folders).
_MARKERS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("Dropbox", lambda n: n in (".dropbox", ".dropbox.cache")),
    ("OneDrive", lambda n: n == ".849C9593-D756-4E56-8D6E-42412F2A707B"),
    ("Google Drive", lambda n: n in (".tmp.drivedownload", ".tmp.driveupload",
                                     ".shortcut-targets-by-id")),
    ("Nextcloud or ownCloud", lambda n: (n.startswith((".sync_", "._sync_")) and n.endswith(
        ".db")) or n in (".owncloudsync.log", ".nextcloudsync.log", ".csync_journal.db")),
    ("Syncthing", lambda n: n in (".stfolder", ".stignore")),
)


def _by_name(path: Path) -> str | None:
    """Clients known by where they put their folder (macOS, Windows and the usual names)."""
    parts = path.parts
    for i, part in enumerate(parts):
        if part == "com~apple~CloudDocs" or (part == "Mobile Documents" and i > 0
                                             and parts[i - 1] == "Library"):
            return "iCloud Drive"
        if part == "iCloud Drive" or part == "iCloudDrive":
            return "iCloud Drive"
        if part == "CloudStorage" and i > 0 and parts[i - 1] == "Library" and i + 1 < len(parts):
            provider = parts[i + 1].split("-", 1)[0]
            return {"GoogleDrive": "Google Drive", "OneDrive": "OneDrive",
                    "Dropbox": "Dropbox"}.get(provider, provider)
        if part.startswith("OneDrive") and (part == "OneDrive" or part.startswith(
                ("OneDrive - ", "OneDrive-"))):
            return "OneDrive"
        if part in ("My Drive", "Google Drive", "GoogleDrive"):
            return "Google Drive"
        if part == "Dropbox" or part.startswith("Dropbox ("):
            return "Dropbox"
    return None


def _listing(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in folder.iterdir()]
    except OSError:
        return []


def sync_client_for(path: Path) -> SyncFolder | None:
    """The sync client managing `path` (a file or a folder), or None.

    Looks for each client's marker files in the folder and every parent, then at the
    well-known folder names (~/Dropbox, ~/OneDrive - Company, ~/Library/CloudStorage/...,
    iCloud's Mobile Documents). It reads folder listings only, never file contents.
    """
    path = Path(path).expanduser().absolute()
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, *folder.parents):
        names = _listing(candidate)
        for client, is_marker in _MARKERS:
            if any(is_marker(name) for name in names):
                return SyncFolder(client, candidate)
    by_name = _by_name(folder)
    if by_name is not None:
        root = folder
        for candidate in (folder, *folder.parents):
            if _by_name(candidate) is None:
                break
            root = candidate
        return SyncFolder(by_name, root)
    return None


def sync_warning(vault_path: Path) -> str | None:
    """The sentence to show when the vault sits in a synced folder, or None."""
    found = sync_client_for(vault_path)
    if found is None:
        return None
    return (f"{Path(vault_path).name} is in a folder that {found.client} keeps in sync "
            f"({found.root}). A sync client copies the vault while it is open and can leave "
            "a damaged or conflicting copy: keep the vault in a folder that is not synced, "
            "and put backups in the synced folder instead.")
