"""Docker-only guarantees: isolation, limits, labels, images, cleanup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import docker
import pytest

from swe_srl.sandbox.docker import LABEL, DockerSandbox, prune
from swe_srl.sandbox.images import ImageNotFoundError, swebench_image, swegym_image, swesmith_image
from tests.conftest import REPO_ROOT, git


def labelled(run_id: str | None = None):
    label = f"swe-srl.run-id={run_id}" if run_id else LABEL
    return docker.from_env().containers.list(all=True, filters={"label": label})


def test_network_is_off_by_default(demo_image):
    with DockerSandbox(demo_image) as sb:
        assert sb.run("ls /sys/class/net").output.split() == ["lo"]
        res = sb.run("python3 -c \"import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)\"", timeout=20)
        assert res.exit_code != 0 and "Network is unreachable" in res.output


def test_network_on_by_option(demo_image):
    with DockerSandbox(demo_image, network=True) as sb:
        assert "eth0" in sb.run("ls /sys/class/net").output.split()


def test_memory_limit_stops_a_memory_hog_and_says_so(demo_image):
    with DockerSandbox(demo_image, mem_limit="128m") as sb:
        res = sb.run("python3 -c \"x = bytearray(512 * 1024 * 1024); print('survived')\"", timeout=60)
        assert res.exit_code == 137
        assert "survived" not in res.output.splitlines()
        assert any("out of memory" in n for n in res.notes)
        assert sb.run("echo fine").output == "fine\n"


def test_limits_and_labels_are_set(demo_image):
    with DockerSandbox(demo_image, mem_limit="256m", cpus=1.5, pids_limit=99, run_id="limits-test") as sb:
        attrs = docker.from_env().containers.get(sb.container.id).attrs
        hc = attrs["HostConfig"]
        assert hc["Memory"] == 256 * 1024**2 and hc["NanoCpus"] == 1_500_000_000 and hc["PidsLimit"] == 99
        assert attrs["Config"]["Labels"][LABEL] == "1"
        assert attrs["Config"]["Labels"]["swe-srl.run-id"] == "limits-test"
    assert not labelled("limits-test")


def test_container_is_removed_when_the_block_raises(demo_image):
    with pytest.raises(RuntimeError):
        with DockerSandbox(demo_image, run_id="raise-test"):
            assert labelled("raise-test")
            raise RuntimeError("boom")
    assert not labelled("raise-test")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_container_is_removed_on_signal(demo_image, sig):
    run_id = f"signal-{int(sig)}"
    script = textwrap.dedent(f"""
        import time
        from swe_srl.sandbox.docker import DockerSandbox
        sb = DockerSandbox({demo_image!r}, run_id={run_id!r})
        print("ready", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    assert proc.stdout.readline().strip() == "ready"
    assert len(labelled(run_id)) == 1
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert not labelled(run_id)


def test_prune_removes_what_a_killed_run_left(demo_image):
    run_id = "kill9-test"
    script = f"from swe_srl.sandbox.docker import DockerSandbox\nsb = DockerSandbox({demo_image!r}, run_id={run_id!r})\nprint('ready', flush=True)\nimport time; time.sleep(60)\n"
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    assert proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(labelled(run_id)) == 1  # kill -9 leaves it: that is what prune is for
    out = subprocess.run([sys.executable, "-m", "swe_srl.cli", "sandbox", "prune", "--run-id", run_id], capture_output=True, text=True, cwd=REPO_ROOT)
    assert out.returncode == 0 and "removed 1 container" in out.stdout
    assert not labelled(run_id)


def test_missing_image_gives_one_clear_error():
    name = "registry.swe-srl.invalid/nothing-here:latest"
    with pytest.raises(ImageNotFoundError) as err:
        DockerSandbox(name)
    msg = str(err.value)
    assert name in msg and "swe-srl sandbox build-instance" in msg


@pytest.mark.parametrize("layout", ["swebench", "plain"])
def test_instance_image_shows_no_later_commits(base_image, tmp_path, layout):
    from swe_srl.sandbox.images import build_instance_image

    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "mod.py").write_text("BUG = True\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "mod.py").write_text("BUG = False  # the fix\n")
    git(repo, "commit", "-qam", "fix the bug")
    fix = git(repo, "rev-parse", "HEAD")
    git(repo, "tag", "v1.0-fixed")
    git(repo, "branch", "fix-branch")
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "checkout", "-q", "main")
    tag = f"swe-srl-test/history-{layout}:latest"
    assert build_instance_image(repo, base, tag, base=base_image, layout=layout) == base
    with DockerSandbox(tag, base_commit=base) as sb:
        assert sb.run("cat mod.py").output == "BUG = True\n"
        history = sb.run("git log --all --format=%H").output.split()
        if layout == "plain":
            assert history == [base]
        else:  # SWE-bench's own empty setup commit on top of the base commit
            assert history[1:] == [base] and sb.run("git log -1 --format=%s").output.strip() == "SWE-bench"
            assert sb.run("git show --stat --format= HEAD").output.strip() == ""
        assert sb.run("git tag").output == ""
        assert sb.run("git branch -a --format='%(refname)'").output.split() == ["refs/heads/main"]
        assert fix not in sb.run("git reflog --all; git fsck --lost-found --unreachable 2>&1; git stash list").output
        assert sb.run(f"git cat-file -e {fix}").exit_code != 0
        assert sb.run("git status --short").output == ""


def test_image_names_follow_each_dataset_convention():
    assert swebench_image("django__django-11099") == "swebench/sweb.eval.x86_64.django_1776_django-11099:latest"
    assert swegym_image("python__mypy-15976") == "docker.io/xingyaoww/sweb.eval.x86_64.python_s_mypy-15976:latest"
    assert (
        swesmith_image("arrow-py__arrow.1d70d009.lm_rewrite__nuzjfyur")
        == "jyangballin/swesmith.x86_64.arrow-py_1776_arrow.1d70d009:latest"
    )


def test_commands_go_through_the_one_session_not_an_exec_each(demo_image, monkeypatch):
    """Speed is measured in bench/sandbox_overhead.py; here, the reason it is fast: commands
    after the start create no `docker exec` (a return to one exec per command fails this)."""
    with DockerSandbox(demo_image) as sb:
        api = sb.container.client.api
        created = []
        real = api.exec_create
        monkeypatch.setattr(api, "exec_create", lambda *a, **kw: created.append(a) or real(*a, **kw))
        outputs = [sb.run(f"echo {i}").output.strip() for i in range(20)]
        assert outputs == [str(i) for i in range(20)] and created == []
