"""Fixtures of the template tests: the bundled templates and a kit of every field kind."""

from __future__ import annotations

import pytest

from models.templates.definitions import Template
from models.templates.loading import TemplateRegistry, load_templates

from .samples import KIT, MINI_COMMON, write_templates


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Template:
    directory = write_templates(tmp_path_factory.mktemp("kit"), _common=MINI_COMMON, kit=KIT)
    return load_templates(directory).latest("kit")


@pytest.fixture(scope="module")
def bundled() -> TemplateRegistry:
    return load_templates()
