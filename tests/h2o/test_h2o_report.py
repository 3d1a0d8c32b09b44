"""report.json and the PNG timeline: written, shaped, secret-free, and re-readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from h2o_fakes import FakeClock, FakeH2O, ScriptedJob

from vmcctl.errors import WatcherError
from vmcctl.h2o.records import Phase, Sample
from vmcctl.h2o.report import REPORT_JSON, TIMELINE_PNG, write_report
from vmcctl.h2o.verdict import compute_verdict
from vmcctl.h2o.watcher import Watcher

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def watched(clock: FakeClock, job: ScriptedJob) -> Watcher:
    w = Watcher(FakeH2O(clock, [job], down=[(16, 18)]), clock=clock, sleep=clock.sleep)
    w.mark("before")
    w.run_for(10)
    w.mark("during", source="10.94.24.70", target="10.94.24.85")
    w.run_for(4)
    w.mark("after")
    w.run_for(8)
    w.end_phases()
    return w


def test_report_files_are_written_with_the_documented_shape(tmp_path: Path,
                                                            clock: FakeClock) -> None:
    w = watched(clock, ScriptedJob("$03$_gbm", status_at=[(20.2, "CANCELLED")]))
    v = w.verdict()
    files = write_report(tmp_path / "out", w.samples, w.phases, v, health=w.health,
                         meta={"vm": "ML-cpu-vm-04", "h2o_url": "http://ml:hunter2@10.0.0.5:54321",
                               "h2o_password": "hunter2", "session_token": "abc"})
    assert files.json == tmp_path / "out" / REPORT_JSON and files.png.name == TIMELINE_PNG
    text = files.json.read_text(encoding="utf-8")
    assert "hunter2" not in text and "abc" not in json.loads(text)["meta"].values()
    data = json.loads(text)
    assert data["schema"] == "vmcctl.h2o.report/1"
    assert data["meta"] == {"vm": "ML-cpu-vm-04", "h2o_url": "http://10.0.0.5:54321"}
    assert [p["name"] for p in data["phases"]] == ["before", "during", "after"]
    assert data["phases"][1]["source"] == "10.94.24.70"
    assert len(data["samples"]) == len(w.samples) and data["health"]
    assert set(data["samples"][0]) >= {"t", "poll", "job", "status", "progress", "latency_s",
                                       "error"}
    assert data["verdict"]["outcome"] == "FAIL"
    png = files.png.read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 20_000


def test_the_verdict_can_be_recomputed_from_report_json(tmp_path: Path,
                                                        clock: FakeClock) -> None:
    w = watched(clock, ScriptedJob("gbm"))
    v = w.verdict()
    files = write_report(tmp_path, w.samples, w.phases, v)
    data = json.loads(files.json.read_text(encoding="utf-8"))
    samples = [Sample.from_dict(s) for s in data["samples"]]
    phases = [Phase.from_dict(p) for p in data["phases"]]
    assert compute_verdict(samples, phases).to_dict() == v.to_dict()


def test_an_empty_watch_still_renders(tmp_path: Path) -> None:
    v = compute_verdict([], [])
    files = write_report(tmp_path, [], [], v)
    assert files.png.read_bytes().startswith(PNG_MAGIC)


def test_an_unwritable_directory_is_a_watcher_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WatcherError, match="cannot write the watch report"):
        write_report(blocker / "sub", [], [], compute_verdict([], []))
