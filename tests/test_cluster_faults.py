"""Distributed runs that used to wait for ever (issue 12, item 6): a scheduler with no workers and a
server that is not dask each end in one line, with nothing written."""

import socket
import threading

import pytest

from simulator.cli import main
from tests.conftest import BASE_TOML, LIMIT_S, started


def _run(*args):
    try:
        main(["run", str(BASE_TOML), "--paths", "20", "--chunk-size", "10", "--no-assumptions", *args])
        return 0
    except SystemExit as exc:
        return exc.code


def test_a_scheduler_without_workers_times_out_with_exit_1(tmp_path, capsys, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setenv("SIMULATOR_WORKER_TIMEOUT", "2")
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert _run("--scheduler", address, "--out", str(tmp_path / "r")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and address in err and "no worker for 2 s" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_bad_worker_timeout_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SIMULATOR_WORKER_TIMEOUT", "soon")
    assert _run("--workers", "2", "--out", str(tmp_path / "r")) == 2
    assert "SIMULATOR_WORKER_TIMEOUT='soon'" in capsys.readouterr().err


@pytest.fixture
def not_dask():
    """A TCP server on the loopback that answers every connection with an HTTP reply and closes it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" * 4)
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    server.close()


def test_a_server_that_is_not_dask_is_one_line(tmp_path, capsys, not_dask):
    assert _run("--scheduler", not_dask, "--out", str(tmp_path / "r")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and not_dask.split("//")[1] in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


_BLOCK_SIMULATOR = '''
import sys


class _NoSimulator:
    """A worker whose environment lacks the package (an image built without it)."""

    def find_spec(self, name, path=None, target=None):
        if name == "simulator" or name.startswith("simulator."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoSimulator())
'''


def test_a_worker_without_the_package_is_one_line_naming_it(tmp_path, capsys, monkeypatch):
    """A real worker process (dask's own `dask worker` command) whose environment cannot import
    simulator: one line naming the address and the module, exit 1, nothing written."""
    import subprocess
    import sys

    from distributed import LocalCluster

    preload = tmp_path / "no_simulator.py"
    preload.write_text(_BLOCK_SIMULATOR)
    # the wait for the worker to join: minutes, so that a loaded machine's slow start is not "no worker"
    monkeypatch.setenv("SIMULATOR_WORKER_TIMEOUT", str(int(LIMIT_S)))
    with LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        with started([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                      "--no-nanny", "--preload", str(preload)],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path):  # killed on leaving
            assert _run("--scheduler", address, "--out", str(tmp_path / "r")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and address in err and "cannot import 'simulator" in err, err
    assert "Traceback" not in err and sorted(p.name for p in tmp_path.iterdir()) == ["no_simulator.py"]
