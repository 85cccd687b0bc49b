"""Every maintainer task of the monorepo.

Sessions (``nox -l`` lists them): ``tests`` (every package), ``tests-<package>`` (one),
``lint``, ``typecheck``, ``generate``, ``generate_check``, ``build``, ``demo``, ``bench``,
``interop`` and ``release``. Plain ``nox`` runs lint, typecheck, tests and generate_check.

Sessions run on the interpreter that runs nox; ``--force-python 3.12`` picks another one (CI's
``.ci/run`` does so for each supported Python it finds). Virtualenvs are made by uv when it is
installed and by virtualenv otherwise.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nox
from packaging.version import Version

nox.needs_version = ">=2024.10.9"
nox.options.error_on_missing_interpreters = True
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = False
nox.options.sessions = ["lint", "typecheck", "tests", "generate_check"]

ROOT = Path(__file__).parent
SHARED = ROOT / "shared"
DIST_DIR = ROOT / "dist"

OPENAPI_CLIENT = "openapi-python-client==0.29.1"
GRPC_TOOLS = ("grpcio-tools==1.85.1", "mypy-protobuf==5.1.0")
RUFF = "ruff==0.17.6"


@dataclass(frozen=True)
class Package:
    """One published distribution of the monorepo."""

    dist: str
    module: str
    system: str | None  # the simulator its demo runs against
    needs: tuple[str, ...] = ()  # sibling distributions it depends on

    @property
    def path(self) -> Path:
        return ROOT / "packages" / self.dist


PACKAGES = (
    Package("ace-skyspark-lib", "ace_skyspark_lib", "skyspark"),
    Package("span-panel-api", "span_panel_api", "span"),
    Package("power-sdk", "power_sdk", "bluetti"),
    Package("pybragerone", "pybragerone", "brager"),
    Package("ensync-core", "ensync_core", None),
    Package("ensync-sdk", "ensync_sdk", "ensync", needs=("ensync-core",)),
)
BY_DIST = {package.dist: package for package in PACKAGES}

#: The newest published release each distribution replaces (the version its seed README
#: describes); ``build`` refuses a version that does not sort after it. pybragerone has none:
#: the project that published under that README moved to another name (py-bragerone).
PUBLISHED: dict[str, str | None] = {
    "ace-skyspark-lib": "0.1.36",
    "span-panel-api": "1.1.3",
    "power-sdk": "2.0.0",
    "pybragerone": None,
    "ensync-core": "0.1.2",
    "ensync-sdk": "0.4.4",
}


def _groups(pyproject: Path, *names: str) -> list[str]:
    """The requirements of the named dependency groups of one pyproject.toml."""
    toml = nox.project.load_toml(pyproject)
    available = toml.get("dependency-groups", {})
    requirements: list[str] = []
    for name in names:
        if name in available:
            requirements.extend(nox.project.dependency_groups(toml, name))
    return requirements


def _install(session: nox.Session, packages: tuple[Package, ...], *groups: str) -> None:
    """Install ``packages`` (editable, with their sibling needs) and shared-testing."""
    wanted: dict[str, Package] = {}
    for package in packages:
        for need in package.needs:
            wanted[need] = BY_DIST[need]
        wanted[package.dist] = package
    args: list[str] = ["-e", str(SHARED)]
    for package in wanted.values():
        args += ["-e", str(package.path)]
    requirements = _groups(SHARED / "pyproject.toml", *groups)
    for package in wanted.values():
        requirements += _groups(package.path / "pyproject.toml", *groups)
    session.install(*args, *sorted(set(requirements)))


def _pytest(session: nox.Session, *paths: Path) -> None:
    session.run(
        "python", "-m", "pytest", *(str(p) for p in paths), *session.posargs, external=False
    )


# -- tests --------------------------------------------------------------------------------------


@nox.session(name="tests")
def tests(session: nox.Session) -> None:
    """Every package's tests, and shared-testing's own, in one environment."""
    _install(session, PACKAGES, "test")
    # One pytest run, so that one summary line counts every test of the repository.
    _pytest(session, SHARED / "tests", *(package.path / "tests" for package in PACKAGES))


def _package_tests(package: Package) -> None:
    @nox.session(name=f"tests-{package.dist}", default=False)
    def session_fn(session: nox.Session) -> None:
        _install(session, (package,), "test")
        _pytest(session, package.path / "tests")

    session_fn.__doc__ = f"Tests of {package.dist} alone, with only its own dependencies."


for _package in PACKAGES:
    _package_tests(_package)


@nox.session(name="tests-shared", default=False)
def tests_shared(session: nox.Session) -> None:
    """shared-testing's own tests (the harness and every simulator)."""
    _install(session, PACKAGES, "test")
    _pytest(session, SHARED / "tests")


# -- static checks ------------------------------------------------------------------------------


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole repository."""
    session.install(RUFF)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict, package by package at its oldest Python (generated clients excluded)."""
    _install(session, PACKAGES, "typing")
    config = str(ROOT / "pyproject.toml")
    for directory in (SHARED, *(package.path for package in PACKAGES)):
        # Checked against the oldest Python the distribution supports: what is new in a later
        # one (typing.Self, datetime.UTC, asyncio.timeout) is an error there.
        oldest = _oldest_python(directory)
        session.run(
            "mypy", "--config-file", config, "--python-version", oldest, str(directory / "src")
        )


def _oldest_python(directory: Path) -> str:
    """The X.Y of a distribution's ``requires-python = ">=X.Y"``."""
    requires = str(
        nox.project.load_toml(directory / "pyproject.toml")["project"]["requires-python"]
    )
    if not requires.startswith(">="):
        raise ValueError(f"{directory.name}: requires-python {requires!r} is not '>=X.Y'")
    return requires.removeprefix(">=").strip()


# -- code generation ----------------------------------------------------------------------------

SPAN = BY_DIST["span-panel-api"]
SPAN_SPEC = ROOT / "openapi" / "span-panel-api.yaml"
SPAN_CONFIG = ROOT / "openapi" / "openapi-python-client.yaml"
SPAN_GENERATED = Path("src") / "span_panel_api" / "generated_client"

ENSYNC = BY_DIST["ensync-sdk"]
ENSYNC_PROTO = ROOT / "proto" / "ensync.proto"
ENSYNC_PROTO_PACKAGE = Path("ensync_sdk") / "_proto"
ENSYNC_GENERATED = ("ensync_pb2.py", "ensync_pb2.pyi", "ensync_pb2_grpc.py", "ensync_pb2_grpc.pyi")


def _generate_span(session: nox.Session, output: Path) -> None:
    """Generate the span low-level client into ``output`` (which must not exist).

    Always generated outside the repository first: the generator's ruff post-hooks then see the
    same (default) configuration whether we regenerate in place or check for drift.
    """
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / output.name
        _run_openapi_client(session, fresh)
        shutil.copytree(fresh, output)


def _run_openapi_client(session: nox.Session, output: Path) -> None:
    session.run(
        "openapi-python-client",
        "generate",
        "--path",
        str(SPAN_SPEC),
        "--config",
        str(SPAN_CONFIG),
        "--meta",
        "none",
        "--output-path",
        str(output),
    )


def _generate_ensync(session: nox.Session, src_root: Path) -> None:
    """Generate the ensync gRPC stubs into ``src_root/ensync_sdk/_proto``."""
    with tempfile.TemporaryDirectory() as include:
        # The proto sits on its package path so generated imports resolve as ensync_sdk._proto.
        laid_out = Path(include) / ENSYNC_PROTO_PACKAGE / "ensync.proto"
        laid_out.parent.mkdir(parents=True)
        shutil.copyfile(ENSYNC_PROTO, laid_out)
        (src_root / ENSYNC_PROTO_PACKAGE).mkdir(parents=True, exist_ok=True)
        out = str(src_root)
        session.run(
            "python",
            "-m",
            "grpc_tools.protoc",
            f"-I{include}",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            f"--mypy_out={out}",
            f"--mypy_grpc_out={out}",
            str(laid_out),
        )


def _install_generators(session: nox.Session) -> None:
    session.install(OPENAPI_CLIENT, *GRPC_TOOLS, RUFF)


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate the span client from openapi/ and the ensync stubs from proto/, in place."""
    _install_generators(session)
    target = SPAN.path / SPAN_GENERATED
    if target.exists():
        shutil.rmtree(target)
    _generate_span(session, target)
    _generate_ensync(session, ENSYNC.path / "src")


def _tree_differences(expected: Path, actual: Path) -> list[str]:
    """Paths (relative) that differ between two directory trees, ignoring caches."""

    def files(root: Path) -> set[Path]:
        return {
            p.relative_to(root)
            for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

    mine, theirs = files(expected), files(actual)
    differences = [f"only generated: {p}" for p in sorted(mine - theirs)]
    differences += [f"only committed: {p}" for p in sorted(theirs - mine)]
    differences += [
        f"differs: {p}"
        for p in sorted(mine & theirs)
        if not filecmp.cmp(expected / p, actual / p, shallow=False)
    ]
    return differences


@nox.session
def generate_check(session: nox.Session) -> None:
    """Regenerate into a temporary tree and fail on any difference from what is committed."""
    _install_generators(session)
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        span_out = Path(tmp) / "span" / "generated_client"
        span_out.parent.mkdir()
        _generate_span(session, span_out)
        problems += [
            f"span-panel-api {line}"
            for line in _tree_differences(span_out, SPAN.path / SPAN_GENERATED)
        ]
        ensync_src = Path(tmp) / "ensync"
        _generate_ensync(session, ensync_src)
        committed = ENSYNC.path / "src" / ENSYNC_PROTO_PACKAGE
        for name in ENSYNC_GENERATED:
            fresh, kept = ensync_src / ENSYNC_PROTO_PACKAGE / name, committed / name
            if not kept.exists():
                problems.append(f"ensync-sdk only generated: {name}")
            elif not filecmp.cmp(fresh, kept, shallow=False):
                problems.append(f"ensync-sdk differs: {name}")
    if problems:
        session.error(
            "generated code is out of date; run `nox -s generate` and commit:\n  "
            + "\n  ".join(problems)
        )
    session.log("generated code matches openapi/ and proto/")


# -- packaging ----------------------------------------------------------------------------------

ALL_DISTS = (*(p.path for p in PACKAGES), SHARED)


def _unsorted_versions(dists: list[str]) -> list[str]:
    """Distributions whose version does not sort after the published release they replace."""
    problems = []
    for dist in dists:
        published = PUBLISHED.get(dist)
        if published is None:
            continue
        ours = str(
            nox.project.load_toml(BY_DIST[dist].path / "pyproject.toml")["project"]["version"]
        )
        if Version(ours) <= Version(published):
            problems.append(f"{dist} {ours} does not sort after the published {published}")
    return problems


def _build_all(session: nox.Session, only: list[str]) -> list[Path]:
    """sdist + wheel of each distribution (all, or those named in ``only``) into dist/."""
    dirs = [d for d in ALL_DISTS if not only or d.name in only or _dist_name(d) in only]
    if only and len(dirs) != len(set(only)):
        session.error(f"unknown package in {only}; known: {[_dist_name(d) for d in ALL_DISTS]}")
    problems = _unsorted_versions([_dist_name(d) for d in dirs])
    if problems:
        session.error(
            "users already have the published release; raise the version:\n  "
            + "\n  ".join(problems)
        )
    session.install("build", "twine>=6.1")
    if DIST_DIR.exists():
        shutil.rmtree(DIST_DIR)
    for directory in dirs:
        session.run("python", "-m", "build", "--outdir", str(DIST_DIR), str(directory))
    artifacts = sorted(DIST_DIR.iterdir())
    session.run("twine", "check", "--strict", *(str(a) for a in artifacts))
    return artifacts


def _dist_name(directory: Path) -> str:
    return str(nox.project.load_toml(directory / "pyproject.toml")["project"]["name"])


def _module_of(dist: str) -> str:
    return BY_DIST[dist].module if dist in BY_DIST else "shared_testing"


@nox.session
def build(session: nox.Session) -> None:
    """Build every distribution, twine-check it, and install each wheel alone in a fresh venv."""
    artifacts = _build_all(session, session.posargs)
    wheels = [a for a in artifacts if a.suffix == ".whl"]
    sdists = [a for a in artifacts if a.name.endswith(".tar.gz")]
    if len(wheels) != len(sdists):
        session.error(f"expected a wheel and an sdist per distribution, got {artifacts}")
    by_dist = {_wheel_dist(wheel): wheel for wheel in wheels}
    for dist, wheel in by_dist.items():
        # A sibling it depends on (ensync-sdk -> ensync-core) comes from the same build, never
        # from an older release of the same name on the index.
        needs = BY_DIST[dist].needs if dist in BY_DIST else ()
        siblings = [by_dist[need] for need in needs if need in by_dist]
        with tempfile.TemporaryDirectory() as venv_dir:
            python = Path(venv_dir) / "bin" / "python"
            wheels_to_install = [str(wheel), *(str(sibling) for sibling in siblings)]
            uv = shutil.which("uv")
            if uv:  # same result as venv + pip, several times faster
                session.run(
                    uv, "venv", "--quiet", "--python", sys.executable, venv_dir, external=True
                )
                session.run(
                    uv,
                    "pip",
                    "install",
                    "--quiet",
                    "--python",
                    str(python),
                    *wheels_to_install,
                    external=True,
                )
            else:
                _pip_venv(session, Path(sys.executable), Path(venv_dir), *wheels_to_install)
            module = _module_of(dist)
            session.run(
                str(python),
                "-c",
                f"import importlib.metadata as m, {module}; "
                f"print({module!r}, m.version({dist!r}), 'imports from a fresh venv')",
                external=True,
            )


def _wheel_dist(wheel: Path) -> str:
    """The distribution name of a wheel file (``ensync_sdk-0.5.0-py3-none-any.whl``)."""
    return wheel.name.split("-")[0].replace("_", "-")


@nox.session(default=False)
def release(session: nox.Session) -> None:
    """Build, check, and upload with twine when TWINE_REPOSITORY_URL and TWINE_PASSWORD are set.

    Without both it is a dry run. Pass package names to release only those:
    ``nox -s release -- power-sdk``.
    """
    artifacts = _build_all(session, session.posargs)
    url, token = os.environ.get("TWINE_REPOSITORY_URL"), os.environ.get("TWINE_PASSWORD")
    if not (url and token):
        session.log(
            "dry run (set TWINE_REPOSITORY_URL and TWINE_PASSWORD to upload); would upload:"
        )
        for artifact in artifacts:
            session.log(f"  {artifact.name}")
        return
    session.run(
        "twine",
        "upload",
        "--non-interactive",
        "--repository-url",
        url,
        *(str(a) for a in artifacts),
        env={"TWINE_USERNAME": os.environ.get("TWINE_USERNAME", "__token__")},
    )


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


# -- demo and bench -----------------------------------------------------------------------------


def _start_simulator(session: nox.Session, system: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``python -m shared_testing serve system`` and return it with its JSON line."""
    python = Path(session.virtualenv.bin) / "python"
    process = subprocess.Popen(
        [str(python), "-m", "shared_testing", "serve", system],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line:
        process.wait(5)
        session.error(f"the {system} simulator exited ({process.returncode}) before listening")
    json.loads(line)  # the contract: one JSON object
    return process, line


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@nox.session
def demo(session: nox.Session) -> None:
    """Start every simulator and run each package's quick-start against it."""
    _install(session, PACKAGES, "demo")
    python = str(Path(session.virtualenv.bin) / "python")
    rows: list[tuple[str, str, str, str]] = []
    failed = False
    for package in PACKAGES:
        quickstart = package.path / "examples" / "quickstart.py"
        if package.system is None:
            continue
        if not quickstart.exists():
            session.error(f"{package.dist} has no examples/quickstart.py")
        process, line = _start_simulator(session, package.system)
        started = time.perf_counter()
        try:
            result = subprocess.run(
                [python, str(quickstart), line],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=120,
                check=False,
            )
        finally:
            _stop(process)
        seconds = f"{time.perf_counter() - started:.1f}s"
        lines = result.stdout.strip().splitlines()
        summary = lines[-1] if lines else "(no output)"
        if result.returncode != 0:
            failed = True
            summary = f"FAILED ({result.returncode}): {result.stderr.strip()[-300:]}"
        rows.append((package.dist, package.system, seconds, summary))
    print()
    print(_table(("package", "simulator", "time", "what it did"), rows))
    if failed:
        session.error("a quick-start failed")


# Benchmarks that run a published client beside ours: they get its venv (see PUBLISHED_CLIENTS)
# as interop tests do, in INTEROP_PYTHON (shared_testing.interop.published_python()).
BENCH_PUBLISHED = {"ensync-sdk"}


@nox.session
def bench(session: nox.Session) -> None:
    """Each package's benchmark, beside the baseline measured in the same run."""
    _install(session, PACKAGES, "bench")
    only = set(session.posargs)
    for package in PACKAGES:
        script = package.path / "bench" / "bench.py"
        if only and package.dist not in only:
            continue
        env = {}
        if package.dist in BENCH_PUBLISHED:
            client = next(c for c in PUBLISHED_CLIENTS if c.dist == package.dist)
            published = _published_venv(session, client, Path(session.create_tmp()))
            env["INTEROP_PYTHON"] = str(published)
        if script.exists():
            session.run("python", str(script), env=env)
        elif package.system is not None:
            session.error(f"{package.dist} has no bench/bench.py")


# -- interop: published upstream clients against our simulators ---------------------------------


@dataclass(frozen=True)
class PublishedClient:
    """A published upstream client, run from a venv of its own by ``packages/<dist>/interop``."""

    dist: str  # our distribution whose interop/ tests drive it
    python: str  # the interpreter version it installs on
    requirements: tuple[str, ...]
    pip_flags: tuple[str, ...] = ()

    @property
    def tests(self) -> Path:
        return BY_DIST[self.dist].path / "interop"


PUBLISHED_CLIENTS = (
    PublishedClient("ace-skyspark-lib", "3.11", ("ace-skyspark-lib==0.1.36",)),
    # 1.1.3 declares Python >=3.12 but runs on 3.11; numpy 2.3 dropped 3.11.
    PublishedClient(
        "span-panel-api",
        "3.11",
        ("span-panel-api==1.1.3", "numpy<2.3"),
        ("--ignore-requires-python",),
    ),
    PublishedClient("ensync-sdk", "3.11", ("ensync-sdk==0.4.4", "ensync-core==0.1.2")),
    # py-bragerone declares Python >=3.13.2; the 3.13 interpreters here may be older patches.
    PublishedClient(
        "pybragerone", "3.13", ("py-bragerone==2026.10.1",), ("--ignore-requires-python",)
    ),
)


def find_interpreter(version: str) -> Path | None:
    """A ``pythonX.Y`` on PATH, else the newest pyenv build of that version, else None."""
    on_path = shutil.which(f"python{version}")
    if on_path and "/shims/" not in on_path:  # a pyenv shim fails unless that version is active
        return Path(on_path)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    builds = [
        build / "bin" / f"python{version}"
        for build in (pyenv_root / "versions").glob(f"{version}.*")
        if build.name.removeprefix(f"{version}.").isdigit()
    ]
    builds = [b for b in builds if b.exists()]
    if not builds:
        return None
    return max(builds, key=lambda b: int(b.parent.parent.name.rsplit(".", 1)[1]))


def _published_venv(session: nox.Session, client: PublishedClient, root: Path) -> Path:
    """A fresh venv with only the published client in it; returns its python."""
    interpreter = find_interpreter(client.python)
    if interpreter is None:
        session.error(f"{client.dist}'s published client needs Python {client.python}; none found")
    venv = root / f"published-{client.dist}"
    if venv.exists():
        shutil.rmtree(venv)
    return _pip_venv(session, interpreter, venv, *client.pip_flags, *client.requirements)


def _pip_venv(session: nox.Session, interpreter: Path, venv: Path, *pip_args: str) -> Path:
    """A new venv of ``interpreter`` at ``venv`` with ``pip install *pip_args``; its python."""
    session.run(str(interpreter), "-m", "venv", str(venv), external=True, silent=True)
    python = venv / "bin" / "python"
    session.run(
        str(python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        *pip_args,
        external=True,
    )
    return python


@nox.session(default=False)
def interop(session: nox.Session) -> None:
    """Each published upstream client, in a venv of its own, against our standalone simulators.

    ``nox -s interop -- <package>`` runs one. The interop tests of each package run in our test
    environment; ``INTEROP_PYTHON`` names the published client's interpreter.
    """
    only = set(session.posargs)
    unknown = only - {client.dist for client in PUBLISHED_CLIENTS}
    if unknown:
        session.error(f"no published client for {sorted(unknown)}")
    chosen = [client for client in PUBLISHED_CLIENTS if not only or client.dist in only]
    for client in chosen:
        if not any(client.tests.glob("test_*.py")):
            session.error(f"{client.dist} has no interop tests in {client.tests}")
    _install(session, tuple(BY_DIST[client.dist] for client in chosen), "test")
    root = Path(session.create_tmp())
    for client in chosen:
        python = _published_venv(session, client, root)
        session.log(f"{client.dist}: {' '.join(client.requirements)} on {client.python}")
        session.run(
            "python",
            "-m",
            "pytest",
            str(client.tests),
            "--forbid-skips",
            env={"INTEROP_PYTHON": str(python)},
        )
