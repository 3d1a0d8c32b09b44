"""A playbook run's own record, so ``vmcctl play FILE --resume`` goes on where it stopped.

    state = start_state(playbook, path, overrides)      # or resume_state(playbook, path)
    run = run_playbook(playbook, ctx, state=state)

The record (``vmcctl-play-<file stem>.json`` next to the playbook's journals)
holds the run id, the step it is in or stopped in, the steps already done
(with their results and the variables they saved) and the journals each
step wrote. It is rewritten atomically after every change. A resumed run
skips the steps done; the step it stopped in runs again, and an evacuation
or rolling window in it resumes its own journal (the executor's resume:
VMs already moved are not moved again). It holds names, paths, states and
numbers only; never a password.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vmcctl.errors import ConfigError
from vmcctl.executor.journal import load_journal, new_run_id, now_iso

STATE_VERSION = 1
PlayStatus = Literal["running", "interrupted", "failed", "done"]


def state_path(playbook_file: str | Path, journal_dir: Path | None = None) -> Path:
    """Where a playbook's record lives: next to its journals (the journal folder or cwd)."""
    return (journal_dir or Path.cwd()) / f"vmcctl-play-{Path(playbook_file).stem}.json"


@dataclass
class PlayState:
    playbook: str  # the file, as an absolute path
    name: str
    path: Path
    overrides: dict[str, str] = field(default_factory=dict)  # --var KEY=VALUE of the run
    run_id: str = field(default_factory=new_run_id)
    status: PlayStatus = "running"
    step: int = 0  # the step running, or the one the run stopped in
    done: list[int] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # step -> StepResult dict
    values: dict[str, str] = field(default_factory=dict)  # variables saved by done steps
    journals: dict[str, list[str]] = field(default_factory=dict)  # step -> journals written
    resumed: int = 0  # how often this run was resumed
    updated_at: str = field(default_factory=now_iso)

    def to_dict(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "playbook": self.playbook, "name": self.name,
                "overrides": self.overrides, "run_id": self.run_id, "status": self.status,
                "step": self.step, "done": self.done, "results": self.results,
                "values": self.values, "journals": self.journals, "resumed": self.resumed,
                "updated_at": self.updated_at}

    def save(self) -> None:
        self.updated_at = now_iso()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".vmcctl-play-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.to_dict(), fh, indent=2)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    # --- what the runner records ----------------------------------------------------------

    def restart(self) -> None:
        """A resumed run begins (after ``resume_state`` and any confirmation)."""
        self.resumed += 1
        self.status = "running"
        self.save()

    def journals_of(self, step: int) -> list[Path]:
        return [Path(p) for p in self.journals.get(str(step), [])]

    def wrote(self, step: int, journal: Path) -> None:
        paths = self.journals.setdefault(str(step), [])
        if str(journal) not in paths:
            paths.append(str(journal))
            self.save()

    # --- what is left standing when a run stops ---------------------------------------------

    def standing(self) -> list[str]:
        """Sentences on what the stopped run leaves behind: hosts in maintenance mode and
        VMs moved away from their host (from the steps done and the stopped step's
        journals)."""
        in_maintenance: dict[str, bool] = {}
        away: dict[str, int] = {}
        for step in sorted(self.done):
            result = self.results.get(str(step), {})
            details = result.get("details") or {}
            host = details.get("host")
            if not isinstance(host, str):
                continue
            if result.get("action") == "maintenance":
                in_maintenance[host] = details.get("action") == "enter"
            elif result.get("action") == "evacuate":
                moved = sum(m.get("state") == "done" for m in details.get("moves") or [])
                away[host] = away.get(host, 0) + moved
            elif result.get("action") == "restore":
                away.pop(host, None)
        if self.step and self.step not in self.done:
            for path in self.journals_of(self.step):
                with contextlib.suppress(OSError, ValueError, KeyError, ConfigError):
                    journal = load_journal(path)
                    moved = sum(m.state == "done" for m in journal.moves)
                    if journal.kind == "evacuate":
                        away[journal.host] = away.get(journal.host, 0) + moved
                        if journal.maintenance == "entered":
                            in_maintenance[journal.host] = True
        said = [f"{host} is in maintenance mode" for host, on in in_maintenance.items() if on]
        said += [f"{n} VM(s) moved off {host} are away from it" for host, n in away.items() if n]
        return said


def _from_dict(raw: dict[str, Any], path: Path) -> PlayState:
    if raw.get("version") != STATE_VERSION:
        raise ConfigError(f"{path}: not a playbook record this vmcctl can read")
    return PlayState(playbook=raw["playbook"], name=raw.get("name", ""), path=path,
                     overrides=dict(raw.get("overrides") or {}), run_id=raw["run_id"],
                     status=raw.get("status", "interrupted"), step=int(raw.get("step", 0)),
                     done=[int(i) for i in raw.get("done") or []],
                     results=dict(raw.get("results") or {}), values=dict(raw.get("values") or {}),
                     journals={k: list(v) for k, v in (raw.get("journals") or {}).items()},
                     resumed=int(raw.get("resumed", 0)), updated_at=raw.get("updated_at", ""))


def load_state(path: Path) -> PlayState:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no record of an earlier run at {path}: nothing to resume",
                          hint="run the playbook without --resume") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the playbook record ({exc})") from None
    return _from_dict(raw, path)


def start_state(playbook_file: str | Path, name: str, path: Path,
                overrides: dict[str, str]) -> PlayState:
    """A new run's record; refused while an earlier run of the same file is unfinished."""
    earlier: PlayState | None = None
    if path.exists():
        with contextlib.suppress(ConfigError):
            earlier = load_state(path)
    if earlier is not None and earlier.status in ("running", "interrupted") and earlier.step:
        raise ConfigError(
            f"an earlier run of {playbook_file} stopped in step {earlier.step} "
            f"({earlier.status}; record {path})",
            hint=f"finish it with: vmcctl play {playbook_file} --resume (or delete "
                 f"{path} to start over)")
    state = PlayState(playbook=str(Path(playbook_file).resolve()), name=name, path=path,
                      overrides=dict(overrides))
    state.save()
    return state


def resume_state(playbook_file: str | Path, path: Path,
                 overrides: dict[str, str]) -> PlayState:
    """The record of the unfinished run to go on with (``ConfigError`` if there is none);
    ``restart()`` it when the run begins."""
    state = load_state(path)
    if state.playbook != str(Path(playbook_file).resolve()):
        raise ConfigError(f"{path} records a run of {state.playbook}, not of {playbook_file}")
    if state.status == "done":
        raise ConfigError(f"{path} records a finished run of {playbook_file}: nothing to resume",
                          hint="run it without --resume to run it again")
    if overrides and overrides != state.overrides:
        raise ConfigError("--var differs from the run being resumed",
                          hint="leave --var out: the recorded values are used")
    return state
