"""Passwords and tokens never reach logs or exception messages."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from ace_skyspark_lib import AuthenticationError, SkysparkClient, SkysparkError
from ace_skyspark_lib._logging import get_logger
from shared_testing import RunningSimulator


async def test_no_secret_in_logs_or_errors(
    skyspark_sim: RunningSimulator, client_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    info = skyspark_sim.info()
    password = info["password"]
    tokens: set[str] = set()
    errors: list[str] = []
    async with client_factory(info) as client:
        tokens |= set(skyspark_sim.simulator.auth.tokens)
        skyspark_sim.faults.fail_next(2, status=503)
        await client.read_sites()
        skyspark_sim.faults.expire_sessions()
        await client.read_sites()
        tokens |= set(skyspark_sim.simulator.auth.tokens)
        skyspark_sim.faults.fail_next(10, status=503)
        try:
            await client.read_sites()
        except SkysparkError as exc:
            errors.append(str(exc))
        skyspark_sim.faults.reset()
        errors.append(repr(client))
    with pytest.raises(AuthenticationError) as refused:
        async with client_factory({**info, "password": "Sup3r-Secret!"}):
            pass
    errors.append(str(refused.value))
    assert len(tokens) == 2
    assert caplog.records, "the client logged nothing to check"
    assert any("retrying" in r.getMessage() for r in caplog.records)
    everything = caplog.text + "\n".join(errors)
    for secret in (password, "Sup3r-Secret!", *tokens):
        assert secret not in everything


def test_logger_masks_secret_keys(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ace_skyspark_lib")
    get_logger().info("login", password="hunter2", auth_token="abc", user="su")
    assert "hunter2" not in caplog.text
    assert "abc" not in caplog.text
    assert "user='su'" in caplog.text


def test_http_stack_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    SkysparkClient("http://x/api", "p", "u", "pw")  # installs the filter
    caplog.set_level(logging.DEBUG)
    headers = [(b"Authorization", b"BEARER authToken=tok-123abc")]
    logging.getLogger("httpcore.http11").debug("send_request_headers %r", headers)
    logging.getLogger("httpx").debug("auth header: Bearer tok-456def, password=hunter2")
    assert "send_request_headers" in caplog.text
    for secret in ("tok-123abc", "tok-456def", "hunter2"):
        assert secret not in caplog.text
