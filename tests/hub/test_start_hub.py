"""start_hub.py refuses a machine it cannot serve, with one clear line each: not root,
a user that does not exist, an exchange folder with the wrong owner or mode, no proxy.
These run anywhere, as any user, in well under a second."""

from __future__ import annotations

import importlib.util
import os

import pytest

from hub.hubdriver import START_HUB

spec = importlib.util.spec_from_file_location("start_hub", START_HUB)
start_hub = importlib.util.module_from_spec(spec)
spec.loader.exec_module(start_hub)

ARGS = ["--instructor", "teacher", "--students", "alice,bob"]


def test_a_hub_started_without_root_says_so(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert start_hub.main([*ARGS, "--root", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: the hub must start as root")
    assert "sudo make hub" in error
    assert not (tmp_path / "state").exists()  # nothing laid out


def test_a_missing_user_is_named_with_its_role():
    with pytest.raises(
        start_hub.HubError, match=r"no system user 'chubt-no-such-1'.*student"
    ):
        start_hub.check_users(["chubt-no-such-1"], "student")
    with pytest.raises(start_hub.HubError, match="no instructor named"):
        start_hub.check_users([], "instructor")


def test_root_is_not_served():
    with pytest.raises(start_hub.HubError, match="is root"):
        start_hub.check_users(["root"], "student")


def test_an_exchange_with_the_wrong_mode_is_refused(tmp_path):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o755)
    with pytest.raises(start_hub.HubError) as error:
        start_hub.check_exchange(exchange)
    assert "mode 0755" in str(error.value)
    assert f"chmod 1777 {exchange}" in str(error.value)
    if os.geteuid() == 0:
        exchange.chmod(0o1777)
        start_hub.check_exchange(exchange)  # root's, 1777: accepted
        os.chown(exchange, 1, 1)
        with pytest.raises(start_hub.HubError, match="owner uid 1"):
            start_hub.check_exchange(exchange)


def test_an_exchange_that_is_a_file_is_refused(tmp_path):
    exchange = tmp_path / "exchange"
    exchange.write_text("")
    with pytest.raises(start_hub.HubError, match="not a folder"):
        start_hub.check_exchange(exchange)


def test_a_missing_exchange_is_made_with_the_right_mode(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("making a folder root's needs root")
    exchange = tmp_path / "exchange"
    start_hub.check_exchange(exchange)
    assert exchange.stat().st_mode & 0o7777 == 0o1777


def test_a_missing_proxy_points_at_make_hub_setup(tmp_path):
    with pytest.raises(start_hub.HubError, match="make hub-setup"):
        start_hub.check_proxy(tmp_path / "configurable-http-proxy")
