"""The watch report: ``report.json`` (samples, phases, verdict) and a PNG timeline.

The JSON holds what was measured and nothing secret: the caller passes the
H2O URL through :func:`~vmcctl.h2o.client.redact_url` (``meta`` values whose
key looks secret are dropped, and URLs lose any ``user:password@``). The PNG
shows each job's progress over time with the migration windows shaded and
labelled with the hosts, the polls that got no answer, and the verdict in
the title; a lower panel shows how long H2O took to answer each poll.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vmcctl.errors import WatcherError
from vmcctl.h2o.client import FAILED_STATES, redact_url
from vmcctl.h2o.records import Health, Phase, Sample
from vmcctl.h2o.verdict import Verdict

REPORT_JSON = "report.json"
TIMELINE_PNG = "timeline.png"
SCHEMA = "vmcctl.h2o.report/1"

_SECRET = re.compile(r"pass|pwd|secret|token|cookie|auth", re.IGNORECASE)
_PHASE_COLOURS = {"before": "#e8eef7", "during": "#ffd9a8", "after": "#e6f4ea"}
_JOB_COLOURS = ["#1f5fae", "#2e8b57", "#8e44ad", "#c0392b", "#d35400"]


@dataclass(frozen=True)
class ReportFiles:
    json: Path
    png: Path


def report_dict(samples: Sequence[Sample], phases: Sequence[Phase], verdict: Verdict, *,
                health: Sequence[Health] = (), meta: Mapping[str, Any] | None = None
                ) -> dict[str, Any]:
    """The content of ``report.json``."""
    return {
        "schema": SCHEMA,
        "meta": _clean_meta(meta or {}),
        "verdict": verdict.to_dict(),
        "phases": [p.to_dict() for p in phases],
        "samples": [s.to_dict() for s in samples],
        "health": [h.to_dict() for h in health],
    }


def write_report(directory: str | Path, samples: Sequence[Sample], phases: Sequence[Phase],
                 verdict: Verdict, *, health: Sequence[Health] = (),
                 meta: Mapping[str, Any] | None = None, title: str | None = None) -> ReportFiles:
    """Write ``report.json`` and ``timeline.png`` into ``directory`` (created if missing)."""
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
        json_path = out / REPORT_JSON
        data = report_dict(samples, phases, verdict, health=health, meta=meta)
        json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        png_path = out / TIMELINE_PNG
        plot_timeline(png_path, samples, phases, verdict, title=title)
    except OSError as exc:
        raise WatcherError(f"cannot write the watch report to {out}: {exc}",
                           hint="check that the directory is writable") from exc
    return ReportFiles(json=json_path, png=png_path)


def _clean_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in meta.items():
        if _SECRET.search(key):
            continue
        clean[key] = redact_url(value) if isinstance(value, str) and "://" in value else value
    return clean


def plot_timeline(path: Path, samples: Sequence[Sample], phases: Sequence[Phase],
                  verdict: Verdict, *, title: str | None = None) -> None:
    """Render the timeline PNG (matplotlib, Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt

    end = max([s.t for s in samples] + [p.end or p.start for p in phases] + [1.0])
    fig, (ax, lat) = plt.subplots(
        2, 1, figsize=(11, 6.2), sharex=True, dpi=120,
        gridspec_kw={"height_ratios": [3.2, 1], "hspace": 0.08})
    try:
        _shade_phases(ax, lat, phases, end)
        _plot_jobs(ax, samples)
        _plot_failures(ax, samples)
        _plot_latency(lat, samples)
        ax.set_ylim(-2, 104)
        ax.set_xlim(0, end * 1.01)
        ax.set_ylabel("job progress (%)")
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for a in (ax, lat):
            for side in ("top", "right"):
                a.spines[side].set_visible(False)
        lat.set_xlabel("seconds since the watch started")
        lat.set_ylabel("H2O answer (ms)")
        lat.grid(True, color="#eeeeee", linewidth=0.6)
        colour = "#1e7b34" if verdict.passed else "#b3261e"
        # long job keys in a reason would run off the figure: wrap, the layout follows
        subtitle = "\n".join(textwrap.fill(line, 120) for line in _subtitle(verdict).split("\n"))
        fig.text(0.07, 0.985, _plain(title or "H2O training during live migration"), fontsize=14,
                 fontweight="bold", ha="left", va="top")
        fig.text(0.07, 0.935, _plain(subtitle), color=colour, fontsize=10.5, ha="left", va="top",
                 linespacing=1.5)
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            # progress climbs from lower left to upper right: lower right stays free
            ax.legend(handles, labels, loc="lower right", fontsize=8.5, frameon=True,
                      framealpha=0.9, edgecolor="#cccccc")
        top = 0.86 - 0.035 * subtitle.count("\n")
        fig.subplots_adjust(left=0.07, right=0.98, top=top, bottom=0.09)
        fig.savefig(path)
    finally:
        plt.close(fig)


def _plain(text: str) -> str:
    """Text drawn as is: H2O job keys hold ``$``, which matplotlib reads as math mode."""
    return text.replace("$", r"\$")


def _subtitle(verdict: Verdict) -> str:
    parts: list[str] = [verdict.outcome]
    if verdict.rate_before is not None and verdict.rate_during is not None:
        after = "" if verdict.rate_after is None else \
            f", after {verdict.rate_after * 100:.2f} %/s"
        parts.append(f"rate before {verdict.rate_before * 100:.2f} %/s, during "
                     f"{verdict.rate_during * 100:.2f} %/s{after}")
    if verdict.ratio is not None:
        parts.append(f"ratio {verdict.ratio:.2f} (≥ {verdict.threshold:.2f} to pass)")
    if verdict.longest_stall_s:
        parts.append(f"longest stall {verdict.longest_stall_s:.1f} s")
    c = verdict.continuity
    parts.append(f"{c.polls - c.failed_polls}/{c.polls} polls answered")
    text = " · ".join(parts)
    if not verdict.passed:
        text += f"\n{verdict.reason}"
    return text


def _shade_phases(ax: Any, lat: Any, phases: Sequence[Phase], end: float) -> None:
    for phase in phases:
        stop = end if phase.end is None else phase.end
        width = max(stop - phase.start, end * 0.004)     # a sub-second vMotion stays visible
        colour = _PHASE_COLOURS[phase.name]
        for a in (ax, lat):
            a.axvspan(phase.start, phase.start + width, color=colour, zorder=0, linewidth=0)
        if phase.name == "during":
            for a in (ax, lat):
                a.axvline(phase.start, color="#e07b00", linewidth=1.0, zorder=1)
                a.axvline(phase.start + width, color="#e07b00", linewidth=1.0, zorder=1,
                          linestyle="--")
            # above the plot, like the other phase labels: never over the progress line
            ax.text(phase.start + width / 2, 1.005, f"{phase.title} · {stop - phase.start:.1f} s",
                    ha="center", va="bottom", fontsize=9, color="#8a4b00", fontweight="bold",
                    transform=ax.get_xaxis_transform(),
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#e07b00"})
        else:
            ax.text(phase.start + width / 2, 1.005, phase.title, ha="center", va="bottom",
                    fontsize=9, color="#555555", transform=ax.get_xaxis_transform())


def _plot_jobs(ax: Any, samples: Sequence[Sample]) -> None:
    keys = list(dict.fromkeys(s.job for s in samples if s.job))
    for i, key in enumerate(keys):
        points = [(s.t, s.progress * 100) for s in samples
                  if s.job == key and s.answered and s.progress is not None]
        if not points:
            continue
        desc = next((s.description for s in samples if s.job == key and s.description), "job")
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, color=_JOB_COLOURS[i % len(_JOB_COLOURS)], linewidth=2.0,
                marker="o", markersize=2.6, label=f"{desc} {_short(key)}", zorder=3)


def _plot_failures(ax: Any, samples: Sequence[Sample]) -> None:
    failed = [s.t for s in samples if not s.answered]
    if failed:
        ax.scatter(failed, [0.0] * len(failed), marker="x", color="#b3261e", s=40, zorder=4,
                   label=f"poll without answer ({len(failed)})", clip_on=False)
    seen: set[str] = set()
    for s in samples:
        if s.job and s.status in FAILED_STATES and s.job not in seen:
            seen.add(s.job)
            y = max([x.progress or 0.0 for x in samples if x.job == s.job] + [0.0]) * 100
            ax.scatter([s.t], [y], marker="X", color="#b3261e", s=110, zorder=5)
            ax.annotate(f"{s.status} (poll {s.poll})", xy=(s.t, y), xytext=(8, 8),
                        textcoords="offset points", color="#b3261e", fontsize=9,
                        fontweight="bold")


def _plot_latency(lat: Any, samples: Sequence[Sample]) -> None:
    by_poll: dict[int, tuple[float, float]] = {}
    for s in samples:
        by_poll.setdefault(s.poll, (s.t, s.latency_s * 1000))
    if by_poll:
        xs, ys = zip(*sorted(by_poll.values()), strict=True)
        lat.plot(xs, ys, color="#666666", linewidth=1.0, marker=".", markersize=3)
        lat.set_ylim(0, max(max(ys) * 1.25, 5.0))


def _short(key: str) -> str:
    """H2O job keys are long (``$03017f…$_9de6…``): keep the readable tail."""
    tail = key.rsplit("_", 1)[-1]
    return f"…{tail[-8:]}" if len(key) > 16 else key
