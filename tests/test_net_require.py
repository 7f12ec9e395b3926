"""The one switch between "skip here" and "fail in CI" for tests that drive outside tools."""

from __future__ import annotations

import pytest

from tests.conftest import require, require_module


@pytest.mark.parametrize("value", ["", "false", "0"])
def test_a_missing_consumer_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match=r"^no dot here$"):
        require(None, "no dot here")
    with pytest.raises(pytest.skip.Exception, match=r"^no such module$"):
        require_module("backlog_cli_no_such_module", "no such module")


@pytest.mark.parametrize("value", ["true", "TRUE", " true\n"])
def test_a_missing_consumer_fails_under_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=r"^no dot here \(CI=true: a missing"):
        require("", "no dot here")
    with pytest.raises(pytest.fail.Exception, match=r"^no such module"):
        require_module("backlog_cli_no_such_module", "no such module")


def test_what_is_there_is_handed_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert require("/usr/bin/dot", "unused") == "/usr/bin/dot"
    assert require_module("json", "unused").__name__ == "json"
