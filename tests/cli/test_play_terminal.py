"""``play`` on a terminal: the move board for its moving steps, waits that count down."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_confirm_pty import PROMPT, Terminal

BOOK = Path(__file__).resolve().parents[2] / "playbooks" / "maintenance-window.yaml"


@pytest.mark.vmcctl_sim("the seed inventory and maintenance mode")
def test_play_on_a_terminal_shows_the_board_and_counts_the_wait_down(
        vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=40)
    term = Terminal(sim, tmp_path, "play", str(BOOK), "--var", "pause=3", "--yes")
    assert term.finish() == 0, term.seen
    seen = term.seen
    assert PROMPT not in seen
    assert "step 1/5 \"evacuate\": " in seen and "finished" in seen  # the board's head line
    assert "done in " in seen  # finished rows stay, with their duration
    assert seen.count("maintenance mode entered") == 1  # the note, not the board too
    assert "waiting: 0:03 left of 0:03" in seen and "waiting: 0:01 left of 0:03" in seen
    record = json.loads((tmp_path / "vmcctl-play-maintenance-window.json").read_text())
    assert record["status"] == "done" and record["done"] == [1, 2, 3, 4, 5]
