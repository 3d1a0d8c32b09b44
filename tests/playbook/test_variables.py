"""``${name}`` substitution and ``--var`` parsing."""

from __future__ import annotations

import pytest

from vmcctl.errors import ConfigError, PlaybookError
from vmcctl.playbook.load import parse_playbook
from vmcctl.playbook.schema import EvacuateAction, MigrateAction
from vmcctl.playbook.variables import UnknownVariable, parse_assignments, substitute


def test_whole_string_keeps_the_type_and_embedded_is_formatted() -> None:
    values = {"n": 4, "host": "10.94.24.70", "on": True}
    assert substitute("${n}", values) == 4
    assert substitute("j-${host}.json", values) == "j-10.94.24.70.json"
    assert substitute("x=${on}", values) == "x=true"
    assert substitute("${ n }", values) == 4


def test_recurses_and_escapes_dollar() -> None:
    values = {"a": "A"}
    assert substitute({"k": ["${a}", {"d": "$${a} costs $$5"}]}, values) == {
        "k": ["A", {"d": "${a} costs $5"}]}


def test_unknown_variable_names_the_path() -> None:
    with pytest.raises(UnknownVariable) as err:
        substitute({"migrate": {"vm": "${vm}", "host": ["x", "${hots}"]}}, {"vm": "v"})
    assert err.value.name == "hots"
    assert err.value.path == ("migrate", "host", 1)


def test_parse_assignments_splits_on_the_first_equals() -> None:
    assert parse_assignments(["a=1", "url=http://x/?q=1", "empty="]) == {
        "a": "1", "url": "http://x/?q=1", "empty": ""}
    for bad in ("novalue", "=x", "1a=2", "a b=1"):
        with pytest.raises(ConfigError):
            parse_assignments([bad])


def test_var_overrides_default_and_string_numbers_become_numbers() -> None:
    doc = {"name": "t", "vars": {"host": "h1", "n": 8},
           "steps": [{"evacuate": {"host": "${host}", "max_parallel": "${n}"}}]}
    default = parse_playbook(doc).steps[0].action
    assert isinstance(default, EvacuateAction)
    assert (default.host, default.max_parallel) == ("h1", 8)
    given = parse_playbook(doc, overrides={"host": "h2", "n": "3"}).steps[0].action
    assert isinstance(given, EvacuateAction)
    assert (given.host, given.max_parallel) == ("h2", 3)


def test_saved_value_is_substituted_when_the_step_runs() -> None:
    doc = {"name": "t", "vars": {"vm": "v"},
           "steps": [{"advise": {"vm": "${vm}", "save_as": "target"}},
                     {"migrate": {"vm": "${vm}", "host": "${target}"}}]}
    step = parse_playbook(doc).steps[1]
    placeholder = step.action
    assert isinstance(placeholder, MigrateAction)
    assert placeholder.host is not None and placeholder.host.startswith("<host chosen by step 1")
    real = step.resolve({"vm": "v", "target": "10.94.24.85"})
    assert isinstance(real, MigrateAction) and real.host == "10.94.24.85"


def test_short_forms() -> None:
    doc = {"name": "t", "vars": {"h": "h1"},
           "steps": [{"maintenance": "enter", "host": "${h}"}, {"wait": 2.5}]}
    pb = parse_playbook(doc)
    assert pb.steps[0].action.model_dump() == {"host": "h1", "action": "enter",
                                               "timeout": None, "vsan_mode": None,
                                               "evacuate_powered_off": False}
    assert pb.steps[1].action.model_dump()["seconds"] == 2.5


def test_connection_takes_variables_and_never_a_password() -> None:
    doc = {"name": "t", "vars": {"vc": "vc.example"},
           "connection": {"url": "https://${vc}/sdk", "password_env": "VC_PASS"},
           "steps": [{"wait": 0}]}
    pb = parse_playbook(doc)
    assert pb.connection is not None
    assert pb.connection.url == "https://vc.example/sdk"
    assert pb.connection.password_env == "VC_PASS"


def test_a_default_can_use_variables_declared_before_it() -> None:
    doc = {"name": "t", "vars": {"host": "h1", "journal": "j-${host}.json"},
           "steps": [{"restore": {"host": "${host}", "journal": "${journal}"}}]}
    assert parse_playbook(doc).values["journal"] == "j-h1.json"
    assert parse_playbook(doc, overrides={"host": "h2"}).values["journal"] == "j-h2.json"
    assert parse_playbook(doc, overrides={"journal": "x.json"}).values["journal"] == "x.json"
    later = {"name": "t", "vars": {"journal": "j-${host}.json", "host": "h1"},
             "steps": [{"wait": 0}]}
    with pytest.raises(PlaybookError, match=r"vars.journal: unknown variable \$\{host\}"):
        parse_playbook(later)
