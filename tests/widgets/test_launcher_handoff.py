"""Launcher → Explorer keeps what ran (issue #12): the tools' memory and architecture price the Lambda time."""

from __future__ import annotations

import html
import re

import pytest

from workbench.widgets import HistoryExplorer, Launcher

from .widget_support import TRIAGE

pytestmark = pytest.mark.timeout(240)


def test_the_explorer_opened_from_the_launcher_keeps_the_tools_memory_and_architecture() -> None:
    launcher = Launcher(TRIAGE)
    execution = launcher.launch()
    assert execution is not None and launcher.wait_done(120) == "SUCCEEDED"
    assert execution.tools is not None and execution.definition is not None  # the run carries what ran
    launcher.explore_button.click()
    explorer = launcher.explorer
    assert isinstance(explorer, HistoryExplorer) and explorer.wait_loaded(60)
    assert explorer.tools["search_logs"].memory_mb == 1024 and explorer.tools["probe_host"].arch == "arm64"
    assert explorer.tools == execution.tools and explorer.definition == execution.definition
    cost = html.unescape(re.sub(r"<[^>]+>", " ", explorer.panes["Cost"][0].value))
    assert "Lambda memory is unknown" not in cost
