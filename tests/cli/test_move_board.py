"""The progress board's rendering, with a fake clock and a recording console."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from rich.console import Console

from vmcctl.cli.host_progress import EvacuationProgress
from vmcctl.cli.move_board import MoveBoard, clock_text
from vmcctl.executor.journal import MoveRecord
from vmcctl.vsphere.tasks import TaskState


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


WALL = datetime(2026, 12, 2, 1, 2, 3, tzinfo=UTC)


def rec(vm: str, target: str = "esx-02", origin: str = "esx-03", **kw: object) -> MoveRecord:
    return MoveRecord(vm=vm, vm_moid=f"vm-{vm}", origin=origin, origin_moid=f"host-{origin}",
                      target=target, target_moid=f"host-{target}", pool_moid="pool",
                      task=f"task-{vm}", **kw)  # type: ignore[arg-type]


def text_of(board: MoveBoard, width: int = 80, max_rows: int | None = None) -> str:
    console = Console(record=True, width=width, color_system=None)
    console.print(board.render(max_rows))
    return console.export_text()


@pytest.fixture
def board() -> tuple[MoveBoard, FakeClock]:
    clock = FakeClock()
    b = MoveBoard("evacuate esx-03", clock=clock, wall=lambda: WALL)
    b.begin(4, 0)
    return b, clock


def test_running_vm_shows_percent_elapsed_and_eta_from_its_rate(
        board: tuple[MoveBoard, FakeClock]) -> None:
    b, clock = board
    b.submitted(rec("ML-cpu-vm-04"))
    clock.now += 2  # queued in vCenter for 2 s: not part of the rate
    b.progress(rec("ML-cpu-vm-04"), "running", 0)
    clock.now += 10
    b.progress(rec("ML-cpu-vm-04"), "running", 40)
    out = text_of(b)
    # 40 % in 10 s of running: 60 % more takes 15 s; elapsed counts from submission
    assert "running 40%, 0:12, ETA 0:15" in out
    assert "ML-cpu-vm-04" in out and "→ esx-02" in out
    clock.now += 5
    b.progress(rec("ML-cpu-vm-04"), "running", 80)
    assert "running 80%, 0:17, ETA 0:04" in text_of(b)  # 15 s for 80 %: 3.75 s left


def test_queued_vms_say_why_and_finished_ones_stay_with_destination_and_time(
        board: tuple[MoveBoard, FakeClock]) -> None:
    b, clock = board
    b.submitted(rec("web-01"))
    b.waiting(rec("cache-01"), "host slots 2/2 busy on esx-03 (--max-per-host)")
    b.submitted(rec("db-01", target="esx-05"))
    clock.now += 4.2
    done = rec("web-01", state="done")
    b.ended(done)
    failed = rec("db-01", target="esx-05", state="failed", reason="MigrationFault: boom")
    b.ended(failed)
    out = text_of(b, width=120)
    local = WALL.astimezone().strftime("%H:%M:%S")
    assert re.search(rf"web-01 +→ esx-02 .* done in 0:04 at {local}", out)
    assert "queued: host slots 2/2 busy on esx-03 (--max-per-host)" in out
    assert f"failed in 0:04 at {local}: MigrationFault: boom" in out
    assert out.splitlines()[0].startswith("evacuate esx-03: 2/4 finished; 1 queued")


def test_queued_in_vcenter_is_not_running(board: tuple[MoveBoard, FakeClock]) -> None:
    b, clock = board
    b.submitted(rec("web-01"))
    clock.now += 3
    b.progress(rec("web-01"), "queued", None)
    out = text_of(b)
    assert "queued in vCenter, 0:03" in out and "ETA" not in out


def test_long_names_are_never_cut_at_80_columns(board: tuple[MoveBoard, FakeClock]) -> None:
    b, _ = board
    long_vm = "ML-cpu-training-worker-vm-0042"
    b.submitted(rec(long_vm, target="10.94.24.100.example.internal"))
    b.progress(rec(long_vm, target="10.94.24.100.example.internal"), "running", 10)
    out = text_of(b, width=80)
    assert long_vm in out and "10.94.24.100.example.internal" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_a_short_terminal_shows_the_moves_in_flight_and_counts_the_rest(
        board: tuple[MoveBoard, FakeClock]) -> None:
    b, _ = board
    for i in range(6):
        b.ended(rec(f"old-{i}", state="done"))
    b.submitted(rec("now-1"))
    out = text_of(b, max_rows=3)
    assert "now-1" in out and "… 4 more" in out


def test_clock_text() -> None:
    assert [clock_text(s) for s in (0, 7.4, 62, 3723)] == ["0:00", "0:07", "1:02", "1:02:03"]


def test_plain_lines_start_with_an_iso_timestamp(capsys: pytest.CaptureFixture[str]) -> None:
    clock = FakeClock()
    progress = EvacuationProgress("evacuate esx-03", tty=False, clock=clock, wall=lambda: WALL)
    with progress:
        progress.run_started(2, 0)
        progress.move_queued(rec("cache-01"), "host slots 1/1 busy on esx-03 (--max-per-host)")
        progress.move_started(rec("web-01"))
        clock.now += 1
        progress.move_progress(rec("web-01"), TaskState("task-web-01", "running", 10))
        progress.move_progress(rec("web-01"), TaskState("task-web-01", "running", 12))  # same
        clock.now += 4
        progress.move_progress(rec("web-01"), TaskState("task-web-01", "running", 50))
        progress.move_ended(rec("web-01", state="done"))
    lines = capsys.readouterr().err.splitlines()
    assert all(line.startswith("2026-12-02T01:02:03+00:00 ") for line in lines), lines
    words = [line.split(" ", 1)[1] for line in lines]
    assert words[1] == "cache-01: queued: host slots 1/1 busy on esx-03 (--max-per-host)"
    assert words[2] == "web-01: submitted esx-03 -> esx-02 (task-web-01)"
    assert words[3] == "web-01: running 10%, 0:01"
    assert words[4] == "web-01: running 50%, 0:05, ETA 0:04"
    assert re.fullmatch(r"web-01: done → esx-02 in 0:05 at \d\d:\d\d:\d\d \[1/2\]", words[5])
    assert len(lines) == 6


def test_on_a_terminal_words_outside_the_board_carry_no_timestamp(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Maintenance words said before any board is up (``maintenance exit --restore`` exits
    first) read as on the board: the ISO time is for plain, non-terminal output only."""
    progress = EvacuationProgress("restore esx-03", tty=True, clock=FakeClock(),
                                  wall=lambda: WALL)
    with progress:
        progress.maintenance("esx-03", "exiting")
    assert capsys.readouterr().err.splitlines() == ["esx-03: maintenance mode exiting"]
