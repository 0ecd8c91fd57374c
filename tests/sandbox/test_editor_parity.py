"""Editor profiles against what the real editors printed (../shared/editor-parity).

Every scenario of `scenarios.json` runs, for each profile, on a fresh copy of the
fixture repository at /testbed: in a Docker sandbox (an image built from the fixture
on the base image) and on the local backend. Observations are compared after
normalisation (trailing whitespace stripped per line and at the end; a directory
listing compared as a set of lines, since `find` order depends on the filesystem), and
the files each step leaves are checked against what the recorded observation shows:
the lines of an edit snippet, the whole file after an undo, the text of a create, and
an unchanged file after a view or a refused call. Last, the openhands profile is compared
with the real openhands-aci 0.1.2 (installed into a Python 3.12 venv of its own; skipped
when that fails) on inputs the scenarios do not cover.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import tarfile
from pathlib import Path

import pytest

from swe_srl.sandbox.tools import EMPTY_OUTPUT, ToolRunner
from swe_srl.trajectory.actions import Action
from tests.conftest import SHARED

PARITY = SHARED / "editor-parity"
# Our profile name -> the key of its recorded observations.
RECORDED = {"swe-agent": "swe-agent", "openhands": "openhands-0.1"}
MIN_RATE = 0.95
# (profile, scenario id) -> why it cannot match; none so far.
KNOWN_UNMATCHABLE: dict[tuple[str, str], str] = {}

OUTSIDE_TEXT = "outside the repository\nsecond line\n"
LISTING = "Here's the files and directories up to 2 levels deep in "
NUMBERED = re.compile(r"^ *(\d+)\t(.*)$")
FIXTURE_IN_IMAGE = "/opt/editor-parity/fixture.tar.gz"
RESET = (
    f"cd / && rm -rf /testbed /outside && tar -xzf {FIXTURE_IN_IMAGE} -C / && mkdir -p /outside/created "
    f"&& printf 'outside the repository\\nsecond line\\n' > /outside/outside.txt && cd /testbed"
)


@pytest.fixture(scope="module")
def scenarios() -> list[dict]:
    if not (PARITY / "scenarios.json").is_file() or not (PARITY / "fixture.tar.gz").is_file():
        pytest.skip("../shared/editor-parity is not here")
    return json.loads((PARITY / "scenarios.json").read_text())


@pytest.fixture(scope="module")
def parity_image(base_image, scenarios) -> str:
    import docker

    from swe_srl.sandbox.engine import client

    data = (PARITY / "fixture.tar.gz").read_bytes()
    tag = f"swe-srl-test/editor-parity:{hashlib.sha256(data).hexdigest()[:12]}"
    dc = client()
    try:
        dc.images.get(tag)
        return tag
    except docker.errors.ImageNotFound:
        pass
    dockerfile = (
        f"FROM {base_image}\n"
        f"COPY fixture.tar.gz {FIXTURE_IN_IMAGE}\n"
        f"RUN {RESET.replace('cd / && ', '', 1).replace(' && cd /testbed', '')}\n"
        "WORKDIR /testbed\n"
    ).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, blob in (("Dockerfile", dockerfile), ("fixture.tar.gz", data)):
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    buf.seek(0)
    dc.images.build(fileobj=buf, custom_context=True, tag=tag, rm=True)
    return tag


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory, scenarios) -> Path:
    root = tmp_path_factory.mktemp("editor-parity")
    with tarfile.open(PARITY / "fixture.tar.gz") as tar:
        tar.extractall(root, filter="tar")
    return root / "testbed"


# -- comparing ---------------------------------------------------------------------
def normalise(text: str):
    lines = [line.rstrip() for line in text.rstrip().split("\n")]
    if lines and lines[0].startswith(LISTING):
        return lines[0], frozenset(line for line in lines[1:] if line)
    return "\n".join(lines)


def same_observation(profile: str, ours: str, recorded: str) -> bool:
    if profile == "swe-agent" and ours == EMPTY_OUTPUT and not recorded.strip():
        return True  # SWE-agent's agent shows an empty output as its no-output message
    return normalise(ours) == normalise(recorded)


def shown_lines(observation: str) -> list[tuple[int, str]]:
    return [(int(m.group(1)), m.group(2)) for m in map(NUMBERED.match, observation.split("\n")) if m]


def decoded(profile: str, data: bytes | None) -> list[str] | None:
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if profile == "openhands":
            return None
        text = data.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def file_problems(profile: str, args: dict, recorded: str, before: bytes | None, after: bytes | None) -> list[str]:
    """What is wrong with the file a step left, judged from the recorded observation."""
    command = args["command"]
    if recorded.startswith("File created successfully"):
        return [] if after == args["file_text"].encode() else [f"created file holds {after!r}"]
    if command in ("str_replace", "insert") and " has been edited. " in recorded:
        lines = decoded(profile, after)
        if lines is None:
            return ["edited file is unreadable"]
        return [
            f"line {n} is {lines[n - 1] if n <= len(lines) else None!r}, the editor showed {text!r}"
            for n, text in shown_lines(recorded)
            if "<response clipped>" not in text and (n > len(lines) or lines[n - 1].expandtabs().rstrip() != text.rstrip())
        ][:3]
    if recorded.startswith("Last edit to "):
        lines = decoded(profile, after)
        expected = [text.rstrip() for _, text in shown_lines(recorded)]
        got = [line.expandtabs().rstrip() for line in lines or []]
        return [] if got == expected else [f"after undo the file is {got!r}, the editor showed {expected!r}"]
    return [] if after == before else [f"file changed by a view or a refused call: {before!r} -> {after!r}"]


def read_or_none(sb, path: str) -> bytes | None:
    try:
        return sb.read_file(path)
    except (OSError, Exception):
        return None


def run_scenario(sb, profile: str, scenario: dict, rewrite=lambda s: s) -> list[str]:
    """Run one scenario's steps with a fresh runner; the problems found (none: parity)."""
    runner = ToolRunner(sb, profile=profile)
    problems = []
    for i, (step, recorded) in enumerate(zip(scenario["steps"], scenario[RECORDED[profile]]["observations"])):
        if recorded is None:
            continue
        args = {k: rewrite(v) if isinstance(v, str) else v for k, v in step.items()}
        recorded = rewrite(recorded)
        before = read_or_none(sb, args["path"])
        res = runner.run(Action.make("str_replace_editor", args))
        if not same_observation(profile, res.observation, recorded):
            problems.append(f"step {i} observation differs:\n  ours:     {res.observation[:400]!r}\n  recorded: {recorded[:400]!r}")
        problems += [f"step {i}: {p}" for p in file_problems(profile, args, recorded, before, read_or_none(sb, args["path"]))]
    return problems


def check_parity(profile: str, scenarios: list[dict], run, label: str, capsys) -> None:
    failing, skipped = {}, []
    for scenario in scenarios:
        if (profile, scenario["id"]) in KNOWN_UNMATCHABLE:
            skipped.append(scenario["id"])
            continue
        problems = run(scenario)
        if problems:
            failing[scenario["id"]] = problems
    total = len(scenarios) - len(skipped)
    matched = total - len(failing)
    with capsys.disabled():
        print(f"\n[editor parity] {profile} ({label}): {matched}/{total} scenarios match"
              + (f"; known unmatchable: {', '.join(skipped)}" if skipped else "")
              + (f"; failing: {', '.join(failing)}" if failing else ""))
    detail = "\n".join(f"{sid}: " + "\n    ".join(p) for sid, p in failing.items())
    assert matched / total >= MIN_RATE, f"{profile} parity {matched}/{total} below {MIN_RATE:.0%}; failing {sorted(failing)}\n{detail}"


@pytest.mark.parametrize("profile", sorted(RECORDED))
def test_editor_parity_docker(profile, scenarios, parity_image, capsys):
    from swe_srl.sandbox import open_sandbox

    with open_sandbox("docker", image=parity_image, mem_limit="512m", activate="none") as sb:

        def run(scenario):
            sb._run_internal(RESET)
            return run_scenario(sb, profile, scenario)

        check_parity(profile, scenarios, run, "docker", capsys)


@pytest.mark.parametrize("profile", sorted(RECORDED))
def test_editor_parity_local(profile, scenarios, fixture_dir, tmp_path, capsys):
    from swe_srl.sandbox import open_sandbox

    outside = tmp_path / "outside"

    def run(scenario):
        shutil.rmtree(outside, ignore_errors=True)
        (outside / "created").mkdir(parents=True)
        (outside / "outside.txt").write_text(OUTSIDE_TEXT)
        with open_sandbox("local", repo_dir=str(fixture_dir)) as sb:
            return run_scenario(sb, profile, scenario, rewrite=lambda s: s.replace("/outside/", f"{outside}/"))

    check_parity(profile, scenarios, run, "local", capsys)


# -- oracle: the real openhands-aci 0.1.2 on inputs the scenarios do not cover ----------
OH_ACI = ["openhands-aci==0.1.2", "grep-ast==0.3.3", "tree-sitter==0.21.3", "tree-sitter-languages==1.10.2", "pathspec"]
OH_DRIVER = r'''
import json, os, sys
from openhands_aci.editor import OHEditor
from openhands_aci.editor.exceptions import ToolError
os.chdir(sys.argv[1])
editor, out = OHEditor(), []
for step in json.loads(sys.stdin.read()):
    try:
        res = editor(**step, enable_linting=False)
        out.append(f"ERROR:\n{res.error}" if res.error else res.output)
    except ToolError as exc:
        out.append(f"ERROR:\n{exc.message}")
print(json.dumps(out))
'''
T = "/testbed"
ORACLE_CASES = [
    ("view_range start 0", None, [{"command": "view", "path": f"{T}/data/long.txt", "view_range": [0, 5]}]),
    ("view_range floats", None, [{"command": "view", "path": f"{T}/pkg/repeated.py", "view_range": [1.0, 2]}]),
    ("view_range three items", None, [{"command": "view", "path": f"{T}/pkg/repeated.py", "view_range": [1, 2, 3]}]),
    ("view a dir with a space", None, [{"command": "view", "path": f"{T}/space dir"}]),
    ("view a dir with a quote", "mkdir \"it's\" && touch \"it's/f\"", [{"command": "view", "path": f"{T}/it's"}]),
    ("view lone CR and a BOM", "printf 'one\\rtwo' > cr.txt && printf '\\xef\\xbb\\xbfhi\\n' > bom.txt",
     [{"command": "view", "path": f"{T}/cr.txt"}, {"command": "view", "path": f"{T}/bom.txt"}]),
    ("create: missing dir, under a file, relative", None, [
        {"command": "create", "path": f"{T}/nodir/x.py", "file_text": "x\n"},
        {"command": "create", "path": f"{T}/Makefile/x.py", "file_text": "x\n"},
        {"command": "create", "path": "rel.py", "file_text": "x\n"}]),
    ("create, edit, undo three times", None, [
        {"command": "create", "path": f"{T}/n.py", "file_text": "a = 1\n"},
        {"command": "str_replace", "path": f"{T}/n.py", "old_str": "a = 1", "new_str": "a\t= 2"},
        {"command": "undo_edit", "path": f"{T}/n.py"}, {"command": "undo_edit", "path": f"{T}/n.py"},
        {"command": "undo_edit", "path": f"{T}/n.py"}]),
    ("str_replace: same, empty old, no new_str", None, [
        {"command": "str_replace", "path": f"{T}/pkg/repeated.py", "old_str": "y = 3", "new_str": "y = 3"},
        {"command": "str_replace", "path": f"{T}/pkg/repeated.py", "old_str": "", "new_str": "x"},
        {"command": "str_replace", "path": f"{T}/pkg/repeated.py", "old_str": "import os\n"}]),
    ("str_replace in a symlinked file", "ln -s pkg/repeated.py link.py",
     [{"command": "str_replace", "path": f"{T}/link.py", "old_str": "y = 3", "new_str": "y = 5"}]),
    ("insert: top, empty file, binary, empty new_str", None, [
        {"command": "insert", "path": f"{T}/pkg/repeated.py", "insert_line": 0, "new_str": "# head"},
        {"command": "insert", "path": f"{T}/empty.txt", "insert_line": 0, "new_str": "first"},
        {"command": "insert", "path": f"{T}/binary.bin", "insert_line": 1, "new_str": "x"},
        {"command": "insert", "path": f"{T}/pkg/repeated.py", "insert_line": 2, "new_str": ""}]),
    ("edits after a failed one, then a view", None, [
        {"command": "str_replace", "path": f"{T}/pkg/repeated.py", "old_str": "x = 1", "new_str": "x = 9"},
        {"command": "insert", "path": f"{T}/pkg/repeated.py", "insert_line": 22, "new_str": "a\nb\n"},
        {"command": "view", "path": f"{T}/pkg/repeated.py", "view_range": [18, -1]}]),
]


@pytest.fixture(scope="module")
def openhands_aci(tmp_path_factory) -> Path:
    """A Python 3.12 venv with the real openhands-aci 0.1.2 (the editor's imports only)."""
    import subprocess

    candidates = [*sorted(map(str, Path("/root/.pyenv/versions").glob("3.12*/bin/python"))), shutil.which("python3.12")]
    for python in filter(None, candidates):
        ok = subprocess.run([python, "-c", "import sys, venv; assert sys.version_info[:2] == (3, 12)"], capture_output=True)
        if ok.returncode == 0:
            break
    else:
        pytest.skip("no Python 3.12 for the openhands-aci oracle")
    venv = tmp_path_factory.mktemp("openhands-aci") / "venv"
    try:
        subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "--no-deps", *OH_ACI], check=True, capture_output=True, timeout=300)
        subprocess.run([*pip, "pydantic"], check=True, capture_output=True, timeout=300)
        subprocess.run([str(venv / "bin" / "python"), "-c", "from openhands_aci.editor import OHEditor"], check=True, capture_output=True, timeout=60)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"openhands-aci 0.1.2 could not be installed: {exc}")
    return venv / "bin" / "python"


def _tree(root: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(root.rglob("*")):
        if ".git" in p.relative_to(root).parts:
            continue
        rel = str(p.relative_to(root))
        out[rel] = b"link:" + str(p.readlink()).encode() if p.is_symlink() else (p.read_bytes() if p.is_file() else b"dir")
    return out


@pytest.mark.parametrize("name,setup,steps", ORACLE_CASES, ids=[c[0] for c in ORACLE_CASES])
def test_openhands_profile_matches_real_openhands_aci(name, setup, steps, openhands_aci, fixture_dir, tmp_path):
    import subprocess

    from swe_srl.sandbox import open_sandbox

    case = tmp_path / "case" / "testbed"
    shutil.copytree(fixture_dir, case, symlinks=True)
    if setup:
        subprocess.run(["bash", "-c", setup], cwd=case, check=True)
    real_root = tmp_path / "real" / "testbed"
    shutil.copytree(case, real_root, symlinks=True)
    real_steps = json.loads(json.dumps(steps).replace(T, str(real_root)))
    proc = subprocess.run([str(openhands_aci), "-c", OH_DRIVER, str(real_root)], input=json.dumps(real_steps),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    real = [obs.replace(str(real_root), T) for obs in json.loads(proc.stdout)]

    with open_sandbox("local", repo_dir=str(case)) as sb:
        runner = ToolRunner(sb, profile="openhands")
        ours = [runner.run(Action.make("str_replace_editor", step)).observation for step in steps]
        ours_tree = _tree(Path(sb.workdir))
    for i, (a, b) in enumerate(zip(ours, real)):
        assert normalise(a) == normalise(b), f"step {i}: ours {a!r} real {b!r}"
    assert ours_tree == _tree(real_root)
