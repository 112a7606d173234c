"""A throwaway Virtuoso (Debian's `virtuoso-opensource`) for the tests.

    with Virtuoso(folder) as server:
        RemoteStore(server.endpoint) ...

The server gets its own database folder and a generated virtuoso.ini: it listens on
127.0.0.1 only, on free ports picked at start, reads and writes only its folder, loads no
plugins or demo data, and answers SPARQL updates and Graph Store Protocol writes without
authentication (the `SPARQL` account may update, as on a server set up for `kg load`). It
is stopped on leaving the block, also when the block fails; and, on Linux, the kernel
stops it should the test process die without cleaning up.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType

SERVER = "virtuoso-t"
ISQL = ("isql-vt", "isql-v")  # Debian's name, upstream's name (not unixODBC's `isql`)

# What the tests need on a fresh database: SPARQL 1.1 Update (INSERT, MOVE, DROP) on
# /sparql and Graph Store Protocol writes on /sparql-graph-crud by the unauthenticated
# SPARQL account (without it: "SR186: No permission to execute procedure
# DB.DBA.SPARQL_INSERT_DICT_CONTENT", and 403 on a GSP PUT).
SETUP_SQL = """
GRANT SPARQL_UPDATE TO "SPARQL";
"""

INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort          = 127.0.0.1:{sql_port}
DisableUnixSocket   = 1
DisableTcpSocket    = 0
MaxClientConnections = 10
CheckpointInterval  = 60
CaseMode            = 2
AllowOSCalls        = 0
DirsAllowed         = {db}
NumberOfBuffers     = 10000
MaxDirtyBuffers     = 6000
ThreadsPerQuery     = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}/www
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 300
"""


def missing() -> str | None:
    """Why a Virtuoso cannot be started here, or None."""
    if shutil.which(SERVER) is None:
        return (
            f"{SERVER} not found: install Debian's virtuoso-opensource "
            "(apt-get install virtuoso-opensource; .ci/run does)"
        )
    if _isql() is None:
        return f"none of {', '.join(ISQL)} found (virtuoso-opensource's SQL client)"
    return None


def _isql() -> str | None:
    for name in ISQL:
        path = shutil.which(name)
        if path:
            return path
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: be sent SIGTERM when the test process dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PDEATHSIG


class VirtuosoError(RuntimeError):
    pass


class Virtuoso:
    """One Virtuoso server on loopback with its database in `folder`."""

    def __init__(self, folder: Path, *, start_timeout: float = 90) -> None:
        self.folder = folder
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.sql_port = 0
        self.http_port = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def gsp(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    def log(self, lines: int = 30) -> str:
        text = ""
        for name in ("virtuoso.log", "stdout.log"):
            path = self.folder / name
            if path.exists():
                text += "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])
        return text

    # -- start and stop -------------------------------------------------------------

    def start(self) -> Virtuoso:
        reason = missing()
        if reason:
            raise VirtuosoError(reason)
        last: Exception | None = None
        for _ in range(3):  # a port picked as free may be taken before the server binds it
            try:
                self._start_once()
                self.sql(SETUP_SQL)
                return self
            except VirtuosoError as exc:
                last = exc
                self.stop()
        raise VirtuosoError(f"Virtuoso did not start: {last}")

    def _start_once(self) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder)
        (self.folder / "www").mkdir(parents=True)
        self.sql_port, self.http_port = _free_port(), _free_port()
        while self.http_port == self.sql_port:
            self.http_port = _free_port()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            INI.format(db=self.folder, sql_port=self.sql_port, http_port=self.http_port),
            encoding="utf-8",
        )
        with open(self.folder / "stdout.log", "wb") as out:
            self.process = subprocess.Popen(
                [SERVER, "+foreground", "+configfile", str(ini)],
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        _RUNNING.add(self)
        self._wait_ready()

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        ask = self.endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        while True:
            if self.process.poll() is not None:
                raise VirtuosoError(
                    f"virtuoso-t exited with status {self.process.returncode}:\n{self.log()}"
                )
            try:
                with urllib.request.urlopen(ask, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise VirtuosoError(f"no answer within {self.start_timeout}s:\n{self.log()}")
            time.sleep(0.2)

    def stop(self, timeout: float = 30) -> None:
        """Stop the server (SIGTERM: Virtuoso shuts down cleanly; SIGKILL if it hangs)."""
        process, self.process = self.process, None
        _RUNNING.discard(self)
        if process is None or process.poll() is not None:
            if process is not None:
                process.wait()
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def discard_database(self) -> None:
        """Delete the stopped server's database files (tens of MB); keep its log."""
        for path in self.folder.glob("virtuoso*"):
            if path.suffix in (".db", ".trx", ".pxa", ".lck"):
                path.unlink(missing_ok=True)

    def __enter__(self) -> Virtuoso:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- administration -------------------------------------------------------------

    def sql(self, statements: str) -> str:
        """Run SQL statements as dba with Virtuoso's isql; fail on any error."""
        isql = _isql()
        assert isql is not None
        script = self.folder / "setup.sql"
        script.write_text(statements.strip() + "\n", encoding="utf-8")
        try:
            done = subprocess.run(
                [isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", str(script)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise VirtuosoError(f"isql timed out: {exc}") from None
        out = (done.stdout + done.stderr).decode("utf-8", "replace")
        if done.returncode != 0 or "*** Error" in out:
            raise VirtuosoError(f"isql failed ({done.returncode}):\n{out}")
        return out


_RUNNING: set[Virtuoso] = set()


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop(timeout=10)


if __name__ == "__main__":  # python -m tests.virtuoso: start one, print its endpoint
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, Virtuoso(Path(tmp) / "db") as v:
        print(v.endpoint, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause() if os.name == "posix" else time.sleep(3600)
