"""The ``vmcctl_sim`` marker: with ``VCSIM_URL`` set the fixtures skip a marked test
with its reason; unmarked tests get the external server; without it, ours."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TESTS = '''
import pytest

@pytest.mark.vmcctl_sim("the seed inventory")
def test_marked(vcsim):
    raise AssertionError("must be skipped before it runs")

def test_unmarked(vcsim):
    assert vcsim.external and vcsim.url == "http://127.0.0.1:9/sdk"

def test_unmarked_stock(stock_vcsim):
    assert stock_vcsim.url == "http://127.0.0.1:9/sdk"

@pytest.mark.vmcctl_sim("paging")
def test_marked_without_a_simulator():
    pass
'''


def test_marker_skips_only_with_vcsim_url(pytester: pytest.Pytester,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCSIM_URL", "http://127.0.0.1:9/sdk")
    pytester.makepyfile(test_marked=TESTS)
    result = pytester.runpytest_inprocess("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(["*needs vmcctl's own simulator: the seed inventory*"])


@pytest.mark.sim
def test_marker_changes_nothing_without_vcsim_url(pytester: pytest.Pytester,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VCSIM_URL", raising=False)
    pytester.makepyfile(test_marked='''
import pytest

@pytest.mark.vmcctl_sim("the seed inventory")
def test_marked(vcsim):
    assert not vcsim.external
    assert len(vcsim.inventory.hosts) == 9
''')
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
