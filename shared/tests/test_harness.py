"""The harness itself, exercised through the trivial echo simulator over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import pytest

from shared_testing import FaultInjector, RunningSimulator, start_simulator
from shared_testing.standalone import StandaloneError, serve
from shared_testing.systems import UnknownSystemError

pytest_plugins = ["pytester"]


def get(url: str, *, token: str | None = None, timeout: float = 5.0) -> tuple[int, Any]:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def post(url: str) -> Any:
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5) as reply:
        return json.loads(reply.read())


def test_fixture_serves_real_http_on_loopback(echo_sim: RunningSimulator) -> None:
    url = echo_sim.info()["url"]
    assert url.startswith("http://127.0.0.1:")
    assert get(f"{url}/echo?x=1") == (200, {"query": {"x": "1"}})


def test_each_test_gets_a_fresh_simulator(echo_sim: RunningSimulator) -> None:
    assert get(f"{echo_sim.info()['url']}/counter") == (200, {"value": 0})
    post(f"{echo_sim.info()['url']}/counter")


def test_factory_starts_several_independent_simulators(simulator: Any) -> None:
    first, second = simulator("echo"), simulator("echo")
    assert first.info()["url"] != second.info()["url"]
    post(f"{first.info()['url']}/counter")
    assert get(f"{first.info()['url']}/counter")[1] == {"value": 1}
    assert get(f"{second.info()['url']}/counter")[1] == {"value": 0}


def test_error_status_for_the_next_n_requests(echo_sim: RunningSimulator) -> None:
    url = echo_sim.info()["url"]
    echo_sim.faults.fail_next(2, status=502)
    assert get(f"{url}/echo")[0] == 502
    assert get(f"{url}/echo")[0] == 502
    assert get(f"{url}/echo")[0] == 200
    assert echo_sim.faults.faults_applied == 2


def test_dropped_connection_gets_no_answer(echo_sim: RunningSimulator) -> None:
    url = echo_sim.info()["url"]
    echo_sim.faults.drop_next(1)
    with pytest.raises((ConnectionError, urllib.error.URLError)):
        urllib.request.urlopen(f"{url}/echo", timeout=5)
    assert get(f"{url}/echo")[0] == 200


def test_latency_delays_every_request(echo_sim: RunningSimulator) -> None:
    url = echo_sim.info()["url"]
    echo_sim.faults.set_latency(0.3)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        get(f"{url}/echo", timeout=0.1)
    echo_sim.faults.reset()
    assert get(f"{url}/echo", timeout=5)[0] == 200


def test_expired_sessions_reject_old_tokens(echo_sim: RunningSimulator) -> None:
    url = echo_sim.info()["url"]
    token = post(f"{url}/login")["token"]
    assert get(f"{url}/whoami", token=token)[0] == 200
    echo_sim.faults.expire_sessions()
    assert get(f"{url}/whoami", token=token)[0] == 401
    fresh = post(f"{url}/login")["token"]
    assert get(f"{url}/whoami", token=fresh)[0] == 200


def test_restart_keeps_address_and_state(echo_sim: RunningSimulator) -> None:
    url = echo_sim.info()["url"]
    post(f"{url}/counter")
    echo_sim.faults.restart()
    assert echo_sim.info()["url"] == url
    assert get(f"{url}/counter") == (200, {"value": 1})


def test_start_simulator_context_manager_stops_the_server() -> None:
    with start_simulator("echo") as running:
        url = running.info()["url"]
        assert get(f"{url}/echo")[0] == 200
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/echo", timeout=2)


def test_unknown_system_is_a_clear_error() -> None:
    with pytest.raises(UnknownSystemError, match="unknown simulator 'nope'"):
        start_simulator("nope")


def test_fault_injector_rejects_nonsense() -> None:
    faults = FaultInjector()
    with pytest.raises(ValueError, match="count must be >= 1"):
        faults.fail_next(0)
    with pytest.raises(ValueError, match="latency must be >= 0"):
        faults.set_latency(-1)
    with pytest.raises(RuntimeError, match="no session-expiry hook"):
        faults.expire_sessions()
    with pytest.raises(RuntimeError, match="needs a running simulator"):
        faults.restart()


def post_json(url: str, body: object) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_standalone_runner_prints_one_json_line_and_stops_on_sigint() -> None:
    with serve("echo", "--host", "127.0.0.1") as served:
        info = served.info
        assert info["system"] == "echo"
        url, control = info["url"], info["control"]
        assert get(f"{url}/echo?ok=1") == (200, {"query": {"ok": "1"}})

        # The fault control of a standalone simulator is reachable over HTTP.
        status, state = post_json(f"{control}/faults", {"fail_next": 1, "status": 504})
        assert (status, state["pending"]) == (200, 1)
        assert get(f"{url}/echo")[0] == 504
        post(f"{url}/counter")
        assert post_json(f"{control}/faults", {"restart": True})[0] == 200
        assert get(f"{url}/counter") == (200, {"value": 1})
        token = post(f"{url}/login")["token"]
        post_json(f"{control}/faults", {"expire_sessions": True})
        assert get(f"{url}/whoami", token=token)[0] == 401
        status, error = post_json(f"{control}/faults", {"drop_next": 0})
        assert status == 400
        assert "count must be >= 1" in error["error"]
        assert post_json(f"{control}/faults", ["not", "an", "object"])[0] == 400
    assert served.process.returncode == 0  # serve() also checks the clean Ctrl-C exit


def test_standalone_runner_reports_a_port_in_use_in_one_line() -> None:
    with start_simulator("echo") as running:
        port = running.info()["url"].rsplit(":", 1)[1]
        done = subprocess.run(
            [sys.executable, "-m", "shared_testing", "serve", "echo", "--port", port],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: the echo simulator could not start:")
    assert "Traceback" not in done.stderr


def test_missing_client_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared_testing import systems

    monkeypatch.setitem(systems.SYSTEMS, "span", "span_panel_api._no_such_module_for_test")
    with pytest.raises(systems.MissingClientPackageError, match="needs span-panel-api installed"):
        systems.load_system("span")


def test_property_tests_have_no_per_example_deadline() -> None:
    from hypothesis import settings

    assert settings.default.deadline is None
    assert settings.default.derandomize == bool(os.environ.get("CI"))


def test_serve_reports_a_simulator_that_never_listens() -> None:
    with start_simulator("echo") as running:
        port = running.info()["url"].rsplit(":", 1)[1]
        with (
            pytest.raises(StandaloneError, match="exited \\(2\\) before listening") as failure,
            serve("echo", "--port", port),
        ):
            pytest.fail("the block must not run when the simulator did not start")
    assert "could not start" in str(failure.value)


def test_interop_without_a_published_client_fails_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from shared_testing.interop import ENV_VAR, InteropError, published_python, run_published

    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(InteropError, match="nox -s interop"):
        published_python()
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing-python"))
    with pytest.raises(InteropError, match="is not an interpreter"):
        published_python()
    monkeypatch.setenv(ENV_VAR, sys.executable)
    script = tmp_path / "published.py"
    script.write_text("import sys\nprint('got', sys.argv[1])\n")
    assert run_published(script, "ping") == "got ping\n"
    script.write_text("import sys\nsys.exit('the published client refused')\n")
    with pytest.raises(InteropError, match="the published client refused"):
        run_published(script)


def test_forbid_skips_fails_a_run_that_skipped(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
        import pytest

        def test_runs():
            assert True

        def test_skips():
            pytest.skip("needs recorded data")
        """
    )
    assert pytester.runpytest().ret == pytest.ExitCode.OK
    guarded = pytester.runpytest("--forbid-skips")
    assert guarded.ret == pytest.ExitCode.TESTS_FAILED
    guarded.stdout.fnmatch_lines(
        ["*forbidden by --forbid-skips*", "*test_skips*needs recorded data*"]
    )
