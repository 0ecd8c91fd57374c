"""Image names and task splits by dataset: --image-source and --tasks-split for collect and
eval, inferred from the task dataset's name (no Hub access: the loaders are stubbed)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from swe_srl import bundled
from swe_srl.cli import app
from swe_srl.collect.pipeline import CollectConfig, _image, image_source
from swe_srl.evaluation.runner import load_task_rows
from swe_srl.sandbox.images import image_for_task
from swe_srl.trajectory import sources
from swe_srl.trajectory.model import Task, Trajectory
from swe_srl.trajectory.sources import dataset_kind, default_tasks_split, read_tasks

GYM_ID = "getmoto__moto-6387"
SMITH_ID = "arrow-py__arrow.1d70d009.lm_rewrite__nuzjfyur"


def test_dataset_names_give_the_family_and_its_split():
    cases = {
        "SWE-Gym/SWE-Gym": ("swegym", "train"),
        "SWE-Gym/SWE-Gym-Lite": ("swegym", "train"),
        "SWE-Gym/OpenHands-Sampled-Trajectories": ("swegym", "train"),
        "SWE-bench/SWE-smith": ("swesmith", "train"),
        "SWE-bench/SWE-smith-trajectories:tool": ("swesmith", "train"),
        "princeton-nlp/SWE-bench_Verified": ("swebench", "test"),
        "princeton-nlp/SWE-bench_Lite": ("swebench", "test"),
        "SWE-bench/SWE-bench_Verified": ("swebench", "test"),
        "nebius/SWE-rebench": (None, "test"),
        str(bundled.TASKS_FILE): (None, "test"),
        "./local/SWE-Gym/tasks.jsonl": (None, "test"),
        None: (None, "test"),
    }
    for name, (kind, split) in cases.items():
        assert (dataset_kind(name), default_tasks_split(name)) == (kind, split), name


def test_image_names_by_source():
    assert image_for_task({"instance_id": GYM_ID}) == "swebench/sweb.eval.x86_64.getmoto_1776_moto-6387:latest"
    assert image_for_task({"instance_id": GYM_ID}, "swegym") == "docker.io/xingyaoww/sweb.eval.x86_64.getmoto_s_moto-6387:latest"
    assert image_for_task({"instance_id": SMITH_ID}) == "jyangballin/swesmith.x86_64.arrow-py_1776_arrow.1d70d009:latest"
    assert image_for_task({"instance_id": GYM_ID, "image": "mine:1"}, "swegym") == "mine:1"  # the row's own wins
    assert image_for_task({"instance_id": SMITH_ID, "image_name": "jyangballin/swesmith.x86_64.a.1"}) == "jyangballin/swesmith.x86_64.a.1"
    with pytest.raises(ValueError, match="unknown image source"):
        image_for_task({"instance_id": GYM_ID}, "openhands")


def _gym_row(iid: str = GYM_ID) -> dict:
    row = {k: v for k, v in bundled.bundled_tasks()[0].items() if k != "image"}
    return {**row, "instance_id": iid, "repo": "getmoto/moto"}


@pytest.fixture
def hub(monkeypatch):
    """Stub the Hub: a dataset name yields `hub.rows`, and `hub.seen` records the splits asked for."""
    state = SimpleNamespace(rows=[_gym_row()], seen=[])
    real = sources.iter_records

    def fake(src, split="train"):
        if dataset_kind(src) is None:
            yield from real(src, split)
            return
        state.seen.append((str(src), split))
        for i, row in enumerate(state.rows):
            yield f"{src}:{split}#{i}", row

    monkeypatch.setattr(sources, "iter_records", fake)
    return state


def test_eval_rows_of_swegym_get_openhands_images_and_the_train_split(hub):
    rows = load_task_rows("SWE-Gym/SWE-Gym")
    assert hub.seen == [("SWE-Gym/SWE-Gym", "train")]
    assert rows[0]["image"] == "docker.io/xingyaoww/sweb.eval.x86_64.getmoto_s_moto-6387:latest"
    assert load_task_rows("SWE-Gym/SWE-Gym", image_source="swebench")[0]["image"].startswith("swebench/sweb.eval.")
    load_task_rows("SWE-Gym/SWE-Gym", split="dev")
    assert hub.seen[-1] == ("SWE-Gym/SWE-Gym", "dev")
    load_task_rows("princeton-nlp/SWE-bench_Verified")
    assert hub.seen[-1] == ("princeton-nlp/SWE-bench_Verified", "test")


def test_a_local_file_names_images_per_row_unless_told(tmp_path):
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps(_gym_row()) + "\n")
    assert load_task_rows(str(path))[0]["image"].startswith("swebench/sweb.eval.")
    assert load_task_rows(str(path), image_source="swegym")[0]["image"].startswith("docker.io/xingyaoww/")


def test_collect_task_split_and_image_source(hub, tmp_path):
    smith = {"instance_id": SMITH_ID, "repo": "swesmith/arrow-py__arrow.1d70d009", "patch": "x", "base_commit": "a" * 40,
             "problem_statement": "p", "image_name": "jyangballin/swesmith.x86_64.arrow-py_1776_arrow.1d70d009"}
    hub.rows = [smith]
    assert list(read_tasks("SWE-bench/SWE-smith")) == [SMITH_ID] and hub.seen[-1] == ("SWE-bench/SWE-smith", "train")
    read_tasks("SWE-bench/SWE-smith", split="other")
    assert hub.seen[-1] == ("SWE-bench/SWE-smith", "other")

    traj = Trajectory(trajectory_id="t", instance_id=GYM_ID, source_format="canonical", rounds=[])
    gym_task = Task.model_validate(_gym_row())
    cfg = CollectConfig(trajectories="SWE-Gym/OpenHands-Sampled-Trajectories", out=tmp_path, tasks="SWE-Gym/SWE-Gym")
    assert image_source(cfg) == "swegym" and cfg.tasks_split is None
    assert _image(traj, gym_task, image_source(cfg)).startswith("docker.io/xingyaoww/")
    assert _image(traj, None, image_source(cfg)).startswith("docker.io/xingyaoww/")  # no task row: from the id
    local = CollectConfig(trajectories=str(tmp_path), out=tmp_path, tasks=str(bundled.TASKS_FILE))
    assert image_source(local) is None and _image(traj, gym_task).startswith("swebench/")
    assert image_source(CollectConfig(trajectories=str(tmp_path), out=tmp_path, image_source="swegym")) == "swegym"


def test_the_flags_reach_the_configs(monkeypatch, tmp_path):
    import swe_srl.collect.pipeline as pipeline
    import swe_srl.evaluation.runner as runner

    got = {}

    def fake_collect(cfg, console=None):
        got["collect"] = cfg
        raise KeyboardInterrupt

    def fake_eval(cfg, console=None):
        got["eval"] = cfg
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run_collect", fake_collect)
    monkeypatch.setattr(runner, "run_eval", fake_eval)
    cli = CliRunner()
    res = cli.invoke(app, ["collect", "--no-replay", "--tasks", "SWE-Gym/SWE-Gym", "--tasks-split", "train", "--image-source", "swegym",
                           "--out", str(tmp_path / "c")])
    assert res.exit_code == 130, res.output
    assert (got["collect"].tasks_split, got["collect"].image_source) == ("train", "swegym")
    res = cli.invoke(app, ["eval", "--tasks", "SWE-Gym/SWE-Gym", "--tasks-split", "train", "--image-source", "swegym", "--out", str(tmp_path / "e")])
    assert res.exit_code == 130, res.output
    assert (got["eval"].split, got["eval"].image_source) == ("train", "swegym")
    res = cli.invoke(app, ["eval", "--split", "dev", "--out", str(tmp_path / "e")])
    assert got["eval"].split == "dev" and got["eval"].image_source is None
    assert cli.invoke(app, ["collect", "--no-replay", "--image-source", "openhands", "--out", str(tmp_path / "c")]).exit_code == 2
    assert cli.invoke(app, ["eval", "--image-source", "openhands", "--out", str(tmp_path / "e")]).exit_code == 2
    assert cli.invoke(app, ["validate", "--image-source", "openhands"]).exit_code == 2
