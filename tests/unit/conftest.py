"""Unit tests run without servers: the stack fixtures are refused here, so a test that needs the
stack says so by living in ``tests/stack/``."""

from __future__ import annotations

import pytest


def _refused(fixture: str) -> pytest.FixtureDef:
    @pytest.fixture(name=fixture)
    def refuse() -> None:
        pytest.fail(f"unit tests run without the stack; a test that needs {fixture!r} belongs in tests/stack/")

    return refuse


stack_settings = _refused("stack_settings")
make_settings = _refused("make_settings")
