"""Sandbox images: the offline-buildable base, per-task instance images, and the
image-name conventions of SWE-bench, SWE-Gym and SWE-smith."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import docker
import docker.errors

from swe_srl.sandbox.base import SandboxError
from swe_srl.sandbox.engine import client

BASE_IMAGE = "swe-srl/base:latest"
COMMIT_LABEL = "swe-srl.base-commit"
RECIPE_LABEL = "swe-srl.recipe"
RECIPE_VERSION = "5"  # bump when an instance recipe changes, so stale images get rebuilt
SANDBOXES_DIR = Path(__file__).resolve().parents[2] / "sandboxes"


class ImageNotFoundError(SandboxError):
    """An image that is neither local nor pullable; the message says how to build it."""


def swebench_image(instance_id: str, arch: str = "x86_64") -> str:
    """The SWE-bench harness's instance image name (`__` becomes `_1776_`)."""
    return f"swebench/sweb.eval.{arch}.{instance_id.replace('__', '_1776_').lower()}:latest"


def swegym_image(instance_id: str, arch: str = "x86_64") -> str:
    """The image OpenHands uses for SWE-Gym / SWE-bench instances (`__` becomes `_s_`)."""
    return f"docker.io/xingyaoww/sweb.eval.{arch}.{instance_id.replace('__', '_s_').lower()}:latest"


_SMITH_ID = re.compile(r"^(?P<owner>[^_]+(?:_[^_]+)*)__(?P<repo>[^.]+)\.(?P<commit>[0-9a-f]{8})")


def swesmith_image(instance_id: str, arch: str = "x86_64") -> str:
    """SWE-smith's per-repository image, from an id like `owner__repo.abcdef12.bug_id`."""
    m = _SMITH_ID.match(instance_id)
    if not m:
        raise ValueError(f"not a SWE-smith instance id: {instance_id!r}")
    return f"jyangballin/swesmith.{arch}.{m['owner']}_1776_{m['repo']}.{m['commit']}:latest".lower()


IMAGE_NAMERS = {"swebench": swebench_image, "swegym": swegym_image, "swesmith": swesmith_image}
IMAGE_SOURCES = tuple(IMAGE_NAMERS)  # the values of --image-source


def image_for_task(task: dict, source: str | None = None) -> str:
    """The task row's own `image` (SWE-smith's `image_name` counts), else the name the
    convention of `source` (swebench, swegym, swesmith) gives its instance id. With no
    source, an id shaped `owner__repo.commit8...` is SWE-smith's and any other SWE-bench's;
    SWE-Gym ids look like SWE-bench's, so SWE-Gym rows need `source="swegym"`."""
    if task.get("image") or task.get("image_name"):
        return task.get("image") or task["image_name"]
    iid = task["instance_id"]
    if source is None:
        source = "swesmith" if _SMITH_ID.match(iid) else "swebench"
    if source not in IMAGE_NAMERS:
        raise ValueError(f"unknown image source {source!r}; choose one of {', '.join(IMAGE_SOURCES)}")
    return IMAGE_NAMERS[source](iid)


def ensure_image(engine: docker.DockerClient, image: str, pull: bool = True) -> None:
    """Make sure `image` exists locally, pulling it if allowed; one clear error if not."""
    try:
        engine.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    error = "pulling is disabled"
    if pull:
        try:
            engine.images.pull(image)
            return
        except docker.errors.DockerException as exc:
            error = str(exc).splitlines()[0][:300]
    raise ImageNotFoundError(
        f"sandbox image {image!r} is not available locally and could not be pulled ({error}). "
        f"Build it with `swe-srl sandbox build-instance --repo DIR --commit SHA --tag {image}` "
        f"(base image: `swe-srl sandbox build-base`), or pull it on a machine with registry access."
    )


def build_base(tag: str = BASE_IMAGE, offline: bool | None = None) -> str:
    """Build the base image from the Dockerfile, or from a debootstrap rootfs offline.

    `offline=None` tries the Dockerfile first and falls back to debootstrap when no
    registry answers.
    """
    if not offline:
        try:
            _docker_build(SANDBOXES_DIR, tag, dockerfile="Dockerfile.base")
            return tag
        except SandboxError:
            if offline is False:
                raise
    subprocess.run(["bash", str(SANDBOXES_DIR / "build_base_offline.sh"), tag], check=True)
    return tag


def _docker_build(context: Path, tag: str, dockerfile: str = "Dockerfile", labels: dict[str, str] | None = None) -> None:
    try:
        client().images.build(path=str(context), dockerfile=dockerfile, tag=tag, rm=True, forcerm=True, pull=False, labels=labels)
    except (docker.errors.BuildError, docker.errors.APIError) as exc:
        raise SandboxError(f"docker build of {tag} failed: {exc}") from exc


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def prepare_testbed(repo_dir: str | Path, commit: str, dest: Path) -> str:
    """Copy a repository to `dest` checked out at `commit`, with nothing newer in git.

    Branches, tags, remotes, stashes and reflogs go, unreachable objects are pruned,
    and one branch `main` points at `commit`: `git log --all` shows only its history,
    so an agent cannot read the fix from git.
    """
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(repo_dir), str(dest)], check=True, capture_output=True)
    sha = _git(dest, "rev-parse", "--verify", f"{commit}^{{commit}}").strip()
    _git(dest, "checkout", "--quiet", "--detach", sha)
    for ref in _git(dest, "for-each-ref", "--format=%(refname)").split():
        _git(dest, "update-ref", "--no-deref", "-d", ref)
    for remote in _git(dest, "remote").split():
        _git(dest, "remote", "remove", remote)
    _git(dest, "checkout", "--quiet", "-B", "main", sha)
    _git(dest, "reflog", "expire", "--expire=now", "--all")
    _git(dest, "gc", "--quiet", "--prune=now")
    return sha


# STOPSIGNAL: the harness stops containers whose main process ignores SIGTERM
# (`tail -f /dev/null`); SIGKILL saves it a 15 s wait per container.
INSTANCE_DOCKERFILE = """\
FROM {base}
STOPSIGNAL SIGKILL
COPY testbed /testbed
RUN git config --system user.email agent@swe-srl.local \\
 && git config --system user.name swe-srl-agent \\
 && git config --system --add safe.directory '*'{setup}
WORKDIR /testbed
"""


LAYOUTS = ("swebench", "plain")


def recipe_label(layout: str = "swebench") -> str:
    """The recipe label an image built now with `layout` carries."""
    return f"{RECIPE_VERSION}-{layout}"


def build_instance_image(
    repo_dir: str | Path,
    commit: str,
    tag: str,
    base: str = BASE_IMAGE,
    setup: str | None = None,
    layout: str = "swebench",
    wheels: str | Path | None = None,
) -> str:
    """An image with the repository at /testbed checked out at `commit` (see prepare_testbed).

    `layout="swebench"` (sandboxes/Dockerfile.instance-swebench) builds what the SWE-bench
    harness's images look like: dependencies in the conda env `testbed`, activated only
    through /root/.bashrc, HEAD an empty commit on top of `commit`; `setup` runs in /testbed
    inside that env, installing offline from `wheels` (a folder of wheels) when given.
    `layout="plain"` puts the repository on the base image's system Python.
    `repo_dir` may be a git repository or a git bundle file.
    """
    if layout not in LAYOUTS:
        raise SandboxError(f"unknown image layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    ensure_image(client(), base, pull=base != BASE_IMAGE)
    with tempfile.TemporaryDirectory(prefix="swe-srl-instance-") as tmp:
        ctx = Path(tmp)
        sha = prepare_testbed(repo_dir, commit, ctx / "testbed")
        if layout == "plain":
            extra = f" \\\n && cd /testbed && {setup}" if setup else ""
            dockerfile = INSTANCE_DOCKERFILE.format(base=base, setup=extra)
        else:
            shutil.copytree(SANDBOXES_DIR / "swebench-layout" / "miniconda3", ctx / "miniconda3")
            if wheels:
                shutil.copytree(wheels, ctx / "wheels")
            else:
                (ctx / "wheels").mkdir()
            recipe = (SANDBOXES_DIR / "Dockerfile.instance-swebench").read_text()
            dockerfile = recipe.replace("{base}", base).replace("{setup}", setup or "true")
        (ctx / "Dockerfile").write_text(dockerfile)
        # The labels let callers tell a stale image of the same name from a current one.
        labels = {COMMIT_LABEL: sha, RECIPE_LABEL: recipe_label(layout)}
        _docker_build(ctx, tag, labels=labels)
    return sha
