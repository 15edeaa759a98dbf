"""A throwaway PostgreSQL for tests: fixtures ``postgres_server`` and ``postgres_url``.

Where the server comes from, in order:

1. ``$HOTSPOT_TEST_POSTGRES_URL`` (e.g. ``postgresql://me@localhost/scratch``): an existing
   server. Each test gets its own schema there, dropped afterwards, so the user needs
   only the right to create schemas in that database.
2. PostgreSQL server binaries (``initdb`` and ``pg_ctl`` under ``/usr/lib/postgresql/*/bin``
   as Debian installs them, or on ``PATH``): a new cluster in a temporary folder, listening
   on a free port on 127.0.0.1 only, with fsync off (it is thrown away), started once per
   test session and stopped and deleted at its end. As root the cluster runs as the
   ``postgres`` user (PostgreSQL refuses to run as root).
3. Otherwise the tests that need it are skipped, saying what is missing; with
   ``HOTSPOT_REQUIRE_POSTGRES=1`` (set it in CI) they fail instead.

Use it from a test module with ``from pg import postgres_server, postgres_url  # noqa: F401``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

ENV_URL = "HOTSPOT_TEST_POSTGRES_URL"
ENV_REQUIRE = "HOTSPOT_REQUIRE_POSTGRES"
MISSING = ("PostgreSQL not found: install the Debian package postgresql (bash scripts/ci_postgres.sh) "
           f"or set {ENV_URL}")


def _unavailable(message: str):
    if os.environ.get(ENV_REQUIRE, "") not in ("", "0"):
        pytest.fail(f"{message} ({ENV_REQUIRE} is set, so this is an error)")
    pytest.skip(message)


def find_bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (the newest Debian version first), or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                        if Path(p).parent.name.isdigit() else 0, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for folder in candidates:
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary folder, run by ``pg_ctl``."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="hotspot-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "server.log"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                _unavailable("PostgreSQL cannot run as root and there is no 'postgres' user; install the Debian "
                             f"package postgresql, which creates it, or set {ENV_URL}")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.as_user, *args], cwd=self.root, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()} {log}")

    def start(self) -> str:
        """Create and start the cluster; return a superuser URL of its ``postgres`` database."""
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        settings = [f"port = {self.port}", "listen_addresses = '127.0.0.1'", f"unix_socket_directories = '{self.root}'",
                    "fsync = off", "synchronous_commit = off", "full_page_writes = off", "max_connections = 60"]
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# hotspot-tasking test cluster\n" + "\n".join(settings) + "\n")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60",
                  "start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the server at once and delete the folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a PostgreSQL server for the session (see the module docstring), or a skip."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed: pip install 'psycopg[binary]'")
    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL]
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        _unavailable(MISSING)
    cluster = Cluster(bin_dir)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """A URL whose default schema is new and empty for this test, dropped afterwards."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = sa.make_url(postgres_server)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
