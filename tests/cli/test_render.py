"""The table layout of vmcctl/cli/render.py, without a simulator: which columns go first,
what wraps, and that a name is never cut whatever the width."""

from __future__ import annotations

import click
import pytest

from vmcctl.cli.render import Grid, fit, show, table, widths

ROWS = [["team-analytics-ML-cpu-vm-04-production", "esx-10-94-24-70.example.com", "64 GiB",
         "10.1.2.3", "rule web-with-cache keeps it with cache-01 on the same host"]]


def grid() -> Grid:
    return table("VMs", ["VM", "HOST", "MEMORY", "IP", "why"], ROWS, right=["MEMORY"],
                 drop=["IP", "MEMORY"], wide=["IP"])


def test_optional_columns_go_in_their_order_until_it_fits() -> None:
    g = table("VMs", ["VM", "HOST", "MEMORY", "IP"], [r[:4] for r in ROWS], right=["MEMORY"],
              drop=["IP", "MEMORY"])
    assert [c.header for c in fit(g, 200).columns] == ["VM", "HOST", "MEMORY", "IP"]
    assert [c.header for c in fit(g, 90).columns] == ["VM", "HOST", "MEMORY"]
    assert [c.header for c in fit(g, 60).columns] == ["VM", "HOST"]
    assert [c.header for c in fit(g, 60, wide=True).columns] == ["VM", "HOST", "MEMORY", "IP"]


def test_text_wraps_down_to_its_longest_word_and_names_never_shrink() -> None:
    g = fit(grid(), 20)
    sizes = dict(zip((c.header for c in g.columns), widths(g, 20), strict=True))
    assert sizes["VM"] == len(ROWS[0][0]) and sizes["HOST"] == len(ROWS[0][1])
    assert sizes["why"] == len("web-with-cache")


@pytest.mark.parametrize("fmt", ["table", "wide", "plain"])
def test_names_come_out_whole_at_any_width(fmt: str, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    with click.Context(click.Command("x")) as ctx:
        ctx.meta["vmcctl.output"] = fmt
        show(grid())
    out = capsys.readouterr().out
    assert ROWS[0][0] in out and ROWS[0][1] in out and "…" not in out
    assert ("10.1.2.3" in out) == (fmt != "table")
    if fmt == "plain":
        assert out.splitlines()[:2] == ["# VMs", "VM\tHOST\tMEMORY\tIP\twhy"]


def test_no_headers_leaves_rows_only(capsys: pytest.CaptureFixture[str]) -> None:
    with click.Context(click.Command("x")) as ctx:
        ctx.meta.update({"vmcctl.output": "plain", "vmcctl.headers": True})
        show(grid())
    assert capsys.readouterr().out.splitlines() == ["\t".join(ROWS[0])]
