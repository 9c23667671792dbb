"""The one JSON spelling of a value, and the SHA-256 that seals a signed note."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def canonical_json(content: Any) -> str:
    """The one JSON spelling of a value: sorted keys, no whitespace, UTF-8 kept as is."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def content_hash(template_id: str, version: int, content: Mapping[str, Any]) -> str:
    """SHA-256 hex of a note: what was written and under which template version."""
    payload = {"template_id": template_id, "template_version": version, "content": content}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
