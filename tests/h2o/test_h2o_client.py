"""Where H2O is (flags, env, auto), what gets parsed from its answers, and its failures."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from vmcctl.errors import ConfigError, WatcherError
from vmcctl.h2o.client import H2OEndpoint, RestClient, parse_cloud, parse_job, redact_url


def test_flags_win_over_environment() -> None:
    env = {"VMCCTL_H2O_URL": "http://env-host:1", "VMCCTL_H2O_USER": "envuser",
           "VMCCTL_H2O_PASSWORD": "envpw"}
    ep = H2OEndpoint.resolve("http://flag-host:54321", "flaguser", "flagpw", environ=env)
    assert (ep.url, ep.username, ep.password) == ("http://flag-host:54321", "flaguser", "flagpw")


def test_environment_fills_what_flags_leave_out() -> None:
    env = {"VMCCTL_H2O_URL": "h2o.example:12345", "VMCCTL_H2O_USER": "ml",
           "VMCCTL_H2O_PASSWORD": "s3cret"}
    ep = H2OEndpoint.resolve(environ=env)
    assert ep.url == "http://h2o.example:12345"
    assert ep.auth == ("ml", "s3cret")


def test_auto_uses_the_guest_ip_and_h2o_port() -> None:
    assert H2OEndpoint.resolve("auto", guest_ip="10.1.2.3", environ={}).url == \
        "http://10.1.2.3:54321"
    assert H2OEndpoint.resolve("auto", guest_ip="fe80::1", environ={}).url == \
        "http://[fe80::1]:54321"


def test_auto_without_guest_ip_says_what_to_do() -> None:
    with pytest.raises(ConfigError, match="guest IP") as err:
        H2OEndpoint.resolve("auto", environ={})
    assert "--h2o-url" in str(err.value)


def test_missing_url_and_password_without_user_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="no H2O URL"):
        H2OEndpoint.resolve(environ={})
    with pytest.raises(ConfigError, match="without a user"):
        H2OEndpoint.resolve("http://h:1", password="pw", environ={})
    with pytest.raises(ConfigError, match="not an H2O URL"):
        H2OEndpoint.resolve("ftp://h:1", environ={})


def test_credentials_in_the_url_move_out_of_it_and_never_show() -> None:
    ep = H2OEndpoint.resolve("https://alice:pa55@h2o.lab:443/ctx/", environ={})
    assert ep.url == "https://h2o.lab:443/ctx"
    assert ep.auth == ("alice", "pa55")
    assert "pa55" not in repr(ep) and "pa55" not in ep.safe_url
    assert redact_url("http://u:p@host:1/x") == "http://host:1/x"
    assert redact_url("http://host:1") == "http://host:1"


def test_parse_job_takes_the_rest_shape() -> None:
    raw = {"key": {"name": "$03$_abc", "type": "Key<Job>"}, "status": "RUNNING",
           "progress": 0.25, "description": "GBM", "msec": 1500,
           "exception": "java.lang.NullPointerException\n\tat water..."}
    job = parse_job(raw)
    assert (job.key, job.status, job.progress, job.description, job.msec) == \
        ("$03$_abc", "RUNNING", 0.25, "GBM", 1500)
    assert job.exception == "java.lang.NullPointerException"


def test_unexpected_answers_become_watcher_errors() -> None:
    with pytest.raises(WatcherError, match="unexpected job record"):
        parse_job({"status": "RUNNING"})
    with pytest.raises(WatcherError, match="unexpected cloud record"):
        parse_cloud({"cloud_name": "x"})
    cloud = parse_cloud({"cloud_name": "c", "cloud_healthy": True, "cloud_size": 3,
                         "bad_nodes": 0, "version": "3.46"})
    assert cloud.healthy and cloud.size == 3


def test_unreachable_h2o_is_a_watcher_error_naming_the_url_without_secrets() -> None:
    with socket.socket() as s:          # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ep = H2OEndpoint(f"http://127.0.0.1:{port}", "u", "topsecret")
    with pytest.raises(WatcherError) as err:
        RestClient(ep)
    assert f"127.0.0.1:{port}" in str(err.value)
    assert "topsecret" not in str(err.value)


def test_auto_where_no_vm_is_involved_says_it_needs_migrate_watch() -> None:
    """Found in review: `h2o status --h2o-url auto` asked whether VMware Tools was running."""
    with pytest.raises(ConfigError) as err:
        H2OEndpoint.resolve("auto", environ={}, allow_auto=False)
    text = str(err.value)
    assert "migrate --watch-h2o" in text and "--h2o-url http://" in text
    assert "VMware Tools" not in text and "guest IP;" not in text


def test_h2o_status_with_auto_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli("h2o", "status", "--h2o-url", "auto")
    assert result.code == 2
    assert "migrate --watch-h2o" in result.err and "VMware Tools" not in result.err
