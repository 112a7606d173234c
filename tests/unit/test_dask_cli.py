"""A Dask cluster started as the README says (`dask scheduler`, `dask worker`) runs `kg check
--scheduler` and gives the answers of single checks.

The fixture starts the scheduler and one `dask worker` command with two worker processes of
one thread, all on loopback and on free ports (the HTTP diagnostics servers too: the
defaults would listen on every interface, the scheduler's on 8787), and ends both commands
with their process groups whatever happens. The check itself runs as a user runs it: `kg`
in its own process, from a folder where the card paths are relative, while the workers
start in another folder."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from bench.generate import dump_card, generate_cards
from kg import api
from tests.conftest import CARDS, ROOT, kg

N = 8
BAD = "03b-dangling-id.yaml"  # sorts among the generated cards, not first or last
AMENDMENT = "cpd-internal-review-30-days"
START_TIMEOUT = 60.0


def _dask() -> str | None:
    """The `dask` command of this Python (its scripts folder first, then PATH)."""
    beside = Path(sys.executable).with_name("dask")
    return str(beside) if beside.is_file() else shutil.which("dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    """The environment of a user's shell: without the Dask settings an earlier in-process
    `kg check --dask` leaves in os.environ (DASK_LOGGING__DISTRIBUTED=critical silences
    the scheduler's "Scheduler at:" line, which the fixture waits for)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DASK_", "__DASK"))}
    return {**clean, "PYTHONPATH": path}


def _start(args: list[str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """A command in its own process group (its worker processes with it), logging to a
    file (a pipe nobody reads could fill and block it)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            args,
            cwd=cwd,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group (Dask shuts down cleanly), SIGKILL if it lingers, and
    SIGKILL again for any process of the group left behind."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _wait_for(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited {process.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {text!r} within {START_TIMEOUT} s:\n{log.read_text()}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a running `dask scheduler` with two `dask worker` processes."""
    dask = _dask()
    if dask is None:
        pytest.skip("no `dask` command (dask's CLI) on this machine")
    from dask.distributed import Client

    logs = tmp_path_factory.mktemp("dask")
    elsewhere = tmp_path_factory.mktemp("workers")  # the workers never see the cards
    address = f"tcp://127.0.0.1:{_free_port()}"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(
            _start(
                [dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                 "--no-dashboard", "--dashboard-address", f"127.0.0.1:{_free_port()}"],
                logs / "scheduler.log", elsewhere,
            )
        )  # fmt: skip
        _wait_for(logs / "scheduler.log", f"Scheduler at:     {address}", processes[0])
        processes.append(
            _start(
                [dask, "worker", address, "--host", "127.0.0.1", "--nworkers", "2",
                 "--nthreads", "1", "--no-dashboard", "--dashboard-address", "127.0.0.1:0"],
                logs / "worker.log", elsewhere,
            )
        )  # fmt: skip
        with Client(address, timeout=START_TIMEOUT) as client:
            try:
                client.wait_for_workers(2, timeout=START_TIMEOUT)
            except TimeoutError:
                pytest.fail("two workers did not register:\n" + (logs / "worker.log").read_text())
            assert set(client.nthreads().values()) == {1}
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding `cards/`: N generated cards and one bad card."""
    out = tmp_path_factory.mktemp("client")
    cards = out / "cards"
    cards.mkdir()
    for i, card in enumerate(generate_cards(N, seed=7)):
        (cards / f"{i:02d}-{card['id']}.yaml").write_text(dump_card(card), encoding="utf-8")
    shutil.copy(CARDS / "bad" / "dangling-id.yaml", cards / BAD)
    return out


def _run(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kg check cards ...` in its own process, from `work`."""
    return subprocess.run(
        [sys.executable, "-m", "kg", "check", "cards", "--format", "json", "--batch", "2", *args],
        cwd=work,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _the_bad_card_alone_is_reported(result: subprocess.CompletedProcess[str]) -> list[Any]:
    assert result.returncode == 3, result.stderr  # a bulk run met a bad card
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {Path('cards') / BAD}:9"), result.stderr
    assert "call9" in errors[0]
    docs: list[Any] = json.loads(result.stdout)
    assert len(docs) == N
    return docs


def test_kg_check_on_a_cluster_started_as_the_readme_says(scheduler: str, work: Path) -> None:
    result = _run(work, "--scheduler", scheduler)
    docs = _the_bad_card_alone_is_reported(result)
    good = sorted(p for p in (work / "cards").glob("*.yaml") if p.name != BAD)
    alone = [api.check([str(p)])[0].to_json() for p in good]
    assert docs == alone  # every field, in card order
    assert any(d["findings"] for d in docs)
    assert not any(d["counterfactual"] for d in docs)


def test_an_amendment_on_the_cluster_equals_one_process(
    scheduler: str, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(work, "--scheduler", scheduler, "--amend", AMENDMENT)
    docs = _the_bad_card_alone_is_reported(result)
    assert all(d["counterfactual"] and d["amendments"] == [AMENDMENT] for d in docs)
    monkeypatch.chdir(work)
    one = kg("check", "cards", "--format", "json", "--amend", AMENDMENT, "--workers", "1")
    assert one.exit_code == 3, one.stderr
    assert docs == json.loads(one.stdout)
