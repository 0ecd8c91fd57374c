"""The session runs in the environment the image's own tools use (SWE-bench layout images
activate their conda env only in /root/.bashrc), with a pinned, documented environment."""

from __future__ import annotations

import pytest

from swe_srl import bundled
from swe_srl.sandbox.docker import DockerSandbox
from swe_srl.sandbox.session import PINNED_ENV


@pytest.fixture(scope="module")
def layout_image(base_image) -> str:
    bundled.ensure_images()
    return bundled.bundled_tasks()[0]["image"]


def test_bashrc_activation_reaches_the_session_and_survives_restarts(layout_image):
    with DockerSandbox(layout_image) as sb:
        res = sb.run("echo $CONDA_DEFAULT_ENV; command -v python pytest; python -m pytest --version; type -t conda")
        assert res.output.split() == ["testbed", "/opt/miniconda3/envs/testbed/bin/python",
                                      "/opt/miniconda3/envs/testbed/bin/pytest", "pytest", res.output.split()[4], "function"]
        # No interactive-shell side effects: no prompt, no job-control noise in outputs.
        assert sb.run("echo hi").output == "hi\n"
        sb.run("exit 1")  # restarts the shell
        assert sb.run("echo $CONDA_DEFAULT_ENV").output.strip() == "testbed"


def test_without_activation_the_system_python_lacks_the_dependencies(layout_image):
    with DockerSandbox(layout_image, activate="none") as sb:
        res = sb.run("command -v python; python -c 'import pytest'")
        assert res.output.splitlines()[0] == "/opt/miniconda3/bin/python"
        assert "ModuleNotFoundError" in res.output
        # What the harness's eval script does activates it too.
        assert sb.run("source /opt/miniconda3/bin/activate && conda activate testbed && python -c 'import pytest' && echo ok").output.strip() == "ok"


def test_pinned_environment_and_task_setup_command(layout_image):
    with DockerSandbox(layout_image, setup="export TASK_FLAG=on; mkdir -p /tmp/w") as sb:
        names = " ".join(f"${k}" for k in PINNED_ENV)
        assert sb.run(f"echo {names}").output.split() == list(PINNED_ENV.values())
        assert sb.run("echo $TASK_FLAG; pwd").output.split() == ["on", "/testbed"]
        sb.run("exit 2")
        assert sb.run("echo $TASK_FLAG").output.strip() == "on"
        assert sb.run("python -c 'import time; print(time.tzname[0])'").output.strip() == "UTC"


def test_unknown_activation_mode_is_refused(layout_image):
    from swe_srl.sandbox.base import SandboxError

    with pytest.raises(SandboxError, match="activate mode"):
        DockerSandbox(layout_image, activate="login")
