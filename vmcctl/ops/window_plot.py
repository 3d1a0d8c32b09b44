"""timeline.png of a window: a Gantt chart per VM over maintenance and closed-gate periods,
with the H2O jobs' progress under it (the style of ``vmcctl.h2o.report``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vmcctl.h2o.client import FAILED_STATES

OUTCOME_COLOURS = {"done": "#2e8b57", "failed": "#b3261e", "cancelled": "#8e44ad",
                   "retried": "#d35400", "running": "#1f5fae", "skipped": "#999999"}
_QUEUE = "#cfd8e3"
_GATE = "#f4c7c3"
_MAINT = "#e8eef7"
_JOB_COLOURS = ["#1f5fae", "#2e8b57", "#8e44ad", "#c0392b", "#d35400"]


def _plain(text: str) -> str:
    return text.replace("$", r"\$")


def plot_window(path: Path, data: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt

    bars, jobs = data["moves"], data["h2o"]
    end = max([data["seconds"], 1.0] + [b["ended"] or 0.0 for b in bars])
    # the H2O baseline is measured before the run: show it (negative seconds)
    start = min([0.0] + [s["t"] for j in jobs for s in j["samples"]])
    rows = list(dict.fromkeys(b["vm"] for b in bars))
    height = max(2.5, 0.32 * len(rows) + 1.2)
    panels = 2 if jobs else 1
    fig, axes = plt.subplots(panels, 1, figsize=(11, height + (2.6 if jobs else 0)), dpi=120,
                             sharex=True, squeeze=False,
                             gridspec_kw={"height_ratios": [height, 2.6][:panels],
                                          "hspace": 0.08})
    gantt = axes[0][0]
    try:
        for a in (row[0] for row in axes):
            for span in data["maintenance"]:
                a.axvspan(span["start"], span["end"] or end, color=_MAINT, zorder=0)
            for span in data["gate_closed"]:
                a.axvspan(span["start"], span["end"] or end, facecolor=_GATE, zorder=0.5,
                          hatch="//", edgecolor="#d9776d", linewidth=0)
            for side in ("top", "right"):
                a.spines[side].set_visible(False)
        for span in data["maintenance"]:
            what = ("in maintenance" if span["state"] in ("entered", "exiting", "exited")
                    else f"maintenance {span['state']}")
            gantt.text(span["start"], 1.005, f" {span['label']} {what}",
                       transform=gantt.get_xaxis_transform(), fontsize=8.5, color="#3d5a80",
                       va="bottom", fontweight="bold")
        for span in data["gate_closed"]:
            why = span.get("why") or ""
            why = why if len(why) <= 48 else why[:47] + "…"
            gantt.text(span["start"], -0.6, _plain(f" gate closed: {why}"), fontsize=8,
                       color="#9c2b22", va="center", clip_on=True)
        for b in bars:
            _bar(gantt, b, rows.index(b["vm"]), end)
        gantt.set_yticks(range(len(rows)), [_plain(r) for r in rows], fontsize=8.5)
        gantt.set_ylim(len(rows) - 0.4, -1.0)
        gantt.set_xlim(start, end * 1.01)
        if start < 0:
            for a in (row[0] for row in axes):
                a.axvline(0, color="#555555", linewidth=0.8, linestyle=":")
            gantt.text(0, 1.005, " run starts", transform=gantt.get_xaxis_transform(),
                       fontsize=8.5, color="#555555", va="bottom")
        gantt.grid(True, axis="x", color="#dddddd", linewidth=0.6)
        gantt.set_axisbelow(True)
        _legend(gantt, data)
        if jobs:
            _plot_jobs(axes[1][0], jobs)
        axes[-1][0].set_xlabel("seconds since the run started")
        moved = sum(b["state"] == "done" for b in bars)
        closed = sum((s["end"] or end) - s["start"] for s in data["gate_closed"])
        title = (f"vmcctl {data['command']}: {moved} move(s) done in {end:.0f} s; gate closed "
                 f"{len(data['gate_closed'])}x ({closed:.0f} s)")
        fig.suptitle(_plain(title), x=0.07, ha="left", fontsize=13, fontweight="bold")
        fig.subplots_adjust(left=0.16, right=0.98, top=1 - 0.85 / fig.get_figheight(),
                            bottom=0.5 / fig.get_figheight())
        fig.savefig(path)
    finally:
        plt.close(fig)


def _legend(gantt: Any, data: dict[str, Any]) -> None:
    from matplotlib.patches import Patch

    states = sorted({b["state"] for b in data["moves"]})
    handles = [Patch(color=OUTCOME_COLOURS.get(s, "#555555"), label=s) for s in states]
    handles.append(Patch(color=_QUEUE, label="queued"))
    if data["maintenance"]:
        handles.append(Patch(color=_MAINT, label="maintenance"))
    if data["gate_closed"]:
        handles.append(Patch(facecolor=_GATE, hatch="//", edgecolor="#d9776d",
                             label="gate closed"))
    gantt.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.06),
                 ncol=len(handles), fontsize=8, frameon=False)


def _plot_jobs(ax: Any, jobs: list[dict[str, Any]]) -> None:
    i = 0
    for job in jobs:
        keys = list(dict.fromkeys(s["job"] for s in job["samples"] if s["job"]))
        for key in keys:
            mine = [s for s in job["samples"] if s["job"] == key]
            # a cancelled job reports 100 %: its curve stops where it went bad
            bad = next((s for s in mine if s["status"] in FAILED_STATES), None)
            pts = [(s["t"], s["progress"] * 100) for s in mine
                   if s["progress"] is not None and s["status"] not in FAILED_STATES]
            if not pts:
                continue
            xs, ys = zip(*pts, strict=True)
            tail = key.rsplit("_", 1)[-1][-8:]
            ax.plot(xs, ys, color=_JOB_COLOURS[i % len(_JOB_COLOURS)], linewidth=2.0,
                    marker="o", markersize=2.2, zorder=3,
                    label=_plain(f"H2O job …{tail}: verdict {job['outcome']}{_ratio(job)}"))
            if bad is not None:
                ax.scatter([bad["t"]], [ys[-1]], marker="X", color="#b3261e", s=110, zorder=5)
                ax.annotate(bad["status"], xy=(bad["t"], ys[-1]), xytext=(8, 8),
                            textcoords="offset points", color="#b3261e", fontsize=9,
                            fontweight="bold")
            i += 1
    ax.set_ylabel("H2O job progress (%)")
    ax.set_ylim(-2, 104)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    if i:
        ax.legend(loc="upper left", fontsize=8.5, framealpha=0.9, edgecolor="#cccccc")


def _ratio(job: dict[str, Any]) -> str:
    ratio = job["verdict"].get("ratio")
    return "" if ratio is None else f" (rate during/before {ratio:.2f})"


def _bar(gantt: Any, b: dict[str, Any], y: int, end: float) -> None:
    """One move: queued time shaded, the run coloured by outcome, and where it went."""
    stop = b["ended"] if b["ended"] is not None else end
    run_from = b["running"] if b["running"] is not None else b["submitted"]
    if run_from > b["submitted"]:
        gantt.barh(y, run_from - b["submitted"], left=b["submitted"], height=0.6,
                   color=_QUEUE, zorder=2)
    gantt.barh(y, max(stop - run_from, end * 0.003), left=run_from, height=0.6,
               color=OUTCOME_COLOURS.get(b["state"], "#555555"), zorder=3)
    if stop - b["submitted"] > end * 0.08:  # room for where it went: inside the bar
        gantt.text(b["submitted"] + end * 0.005, y, f"→ {b['target']}", color="white",
                   fontsize=7.5, va="center", zorder=4, clip_on=True)
    else:  # a short move: say where it went just after the bar
        gantt.text(stop + end * 0.005, y, f"→ {b['target']}", color="#333333",
                   fontsize=7.5, va="center", zorder=4, clip_on=True)
