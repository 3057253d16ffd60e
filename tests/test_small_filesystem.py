"""A real small file system (tmpfs, mounted where the tests run as root): the free space is checked
before simulating, and a file system that runs out mid-run (here: of inodes, which the free-space check
cannot see) ends in exit 1, one line, and nothing left on it."""

import os
import subprocess
import sys

import pytest

from tests.conftest import BASE_TOML, ROOT, run_command, snapshot


@pytest.fixture
def small_fs(tmp_path):
    def mount(options: str):
        where = tmp_path / "fs"
        where.mkdir()
        if os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(where)
        return where
    mounted = []
    yield mount
    for where in mounted:
        subprocess.run(["umount", str(where)], check=False)


def _run(out, *extra):
    return run_command([sys.executable, "-m", "simulator", "run", str(BASE_TOML), "--no-assumptions", "--out",
                        str(out), *extra], "the run to exit", cwd=ROOT)


def test_too_little_room_is_refused_before_simulating(small_fs):
    fs = small_fs("size=4m")
    done = _run(fs / "r", "--paths", "2000")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "nothing was simulated or written" in done.stderr and "Traceback" not in done.stderr
    assert sorted(os.listdir(fs)) == []


def test_a_file_system_full_mid_run_leaves_nothing(small_fs):
    fs = small_fs("size=256m,nr_inodes=700")  # room for the bytes, not for the chunk files
    done = _run(fs / "r", "--paths", "3000", "--chunk-size", "100")  # 30 chunks x 36 arrays of the lean store
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "disk is full" in done.stderr and "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert sorted(os.listdir(fs)) == []


def test_shared_storage_full_on_a_cluster_leaves_nothing_and_the_cluster_serves(small_fs, tmp_path):
    """A distributed run (an existing scheduler, worker processes writing the store chunks) on shared
    storage that runs out mid-run: a worker's ENOSPC reaches the client as its task's error, the run
    ends with exit 1 and one line, the staging directory is removed, and the cluster takes the next run."""
    from distributed import LocalCluster

    fs = small_fs("size=256m,nr_inodes=700")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        done = _run(fs / "r", "--paths", "3000", "--chunk-size", "100", "--scheduler", address)
        assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
        assert "disk is full" in done.stderr and "nothing was written" in done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert sorted(os.listdir(fs)) == []
        again = _run(tmp_path / "ok", "--paths", "300", "--chunk-size", "100", "--scheduler", address)
        assert again.returncode == 0, again.stderr
        assert (tmp_path / "ok" / "summary.json").is_file()


def _fill(fs) -> None:
    """Fill the file system to the last block (a filler file written until ENOSPC)."""
    fd = os.open(fs / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for block in (1 << 20, 4096, 1):
            try:
                while os.write(fd, b"\0" * block):
                    pass
            except OSError:
                continue
    finally:
        os.close(fd)


def _tree(folder) -> dict[str, str]:
    """The folder's snapshot without the filler file."""
    return {name: digest for name, digest in snapshot(folder).items() if name != "filler"}


@pytest.mark.parametrize("command", ["report", "compare", "sweep"])
def test_a_full_disk_leaves_the_earlier_results_whole(small_fs, command):
    """Results on a file system that is then filled to the last block: report, compare and sweep end in
    exit 1 with one line, and every earlier file is as it was (nothing new, nothing half-written)."""
    fs = small_fs("size=64m")
    sweep = fs / "sweep.toml"
    sweep.write_text(f'scenario = "{BASE_TOML}"\n[[variants]]\nname = "a"\n[[variants]]\nname = "b"\n'
                     'set = { "accounts.tax_rate_kr" = 12.2 }\n')
    for seed, out in (("1", "a"), ("2", "b")):
        assert _run(fs / out, "--paths", "20", "--seed", seed).returncode == 0
    _fill(fs)
    before = _tree(fs)
    argv = {"report": ["report", str(fs / "a"), "--xlsx"],
            "compare": ["compare", str(fs / "a"), str(fs / "b"), "--out", str(fs / "cmp")],
            "sweep": ["sweep", str(sweep), "--paths", "20", "--out", str(fs / "sw")]}[command]
    done = run_command([sys.executable, "-m", "simulator", *argv], f"{command} to exit", cwd=ROOT)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "disk is full" in done.stderr or "free" in done.stderr, done.stderr
    assert _tree(fs) == before
