"""Training-step overhead of `swe-srl train` over a plain TRL GRPOTrainer.

Both trainers get the same tiny Qwen2 policy, the same step rows, the same SRL reward
and the same GRPOConfig (the tiny-cpu recipe); they run one after the other, twice, in
one process (A B A B) so machine noise hits both. A step is the wall time between two
optimizer steps (generation, reward, loss, backward, update). For swe-srl, the extra
generation rounds that dynamic sampling draws to refill dropped groups are timed by the
trainer and reported apart: they are more sampling, not overhead of the code path.

    python bench/train_overhead.py                 # 3 x 12 steps per trainer
    python bench/train_overhead.py --steps 20 --data DIR_OR_JSONL

Human-readable lines, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transformers import TrainerCallback  # noqa: E402
from transformers.trainer_callback import PrinterCallback  # noqa: E402
from trl import GRPOTrainer  # noqa: E402

from swe_srl.srl.checkpoint import load_tokenizer  # noqa: E402
from swe_srl.srl.config import load_config, replace_config  # noqa: E402
from swe_srl.srl.data import load_steps, srl_dataset, tokenizer_corpus, warm_start_pairs  # noqa: E402
from swe_srl.srl.reward import SRLReward  # noqa: E402
from swe_srl.srl.tiny import build_tiny_policy  # noqa: E402
from swe_srl.srl.trainer import SRLGRPOTrainer  # noqa: E402


class StepClock(TrainerCallback):
    """Wall time between consecutive optimizer steps."""

    def __init__(self):
        self.marks: list[float] = []

    def on_train_begin(self, args, state, control, **kwargs):
        self.marks = [time.perf_counter()]

    def on_step_end(self, args, state, control, **kwargs):
        self.marks.append(time.perf_counter())

    def step_seconds(self) -> list[float]:
        return [b - a for a, b in zip(self.marks, self.marks[1:])]


def run(kind: str, model: Path, tokenizer, dataset, config, workdir: Path) -> dict:
    args = replace_config(config, output_dir=str(workdir / kind))
    clock = StepClock()
    common = dict(model=str(model), reward_funcs=[SRLReward()], args=args, train_dataset=dataset,
                  processing_class=tokenizer, callbacks=[clock])
    if kind == "trl":
        trainer = GRPOTrainer(**common)
    else:
        trainer = SRLGRPOTrainer(**common)  # dynamic sampling from its args
    trainer.remove_callback(PrinterCallback)  # keep the bench output to its own lines
    trainer.train()
    steps = clock.step_seconds()[1:]  # the first step also warms up caches
    regen = [r["regeneration_s"] for r in getattr(trainer, "sampling_log", [])][1:]
    rounds = [r["dynamic_sampling/generation_rounds"] for r in getattr(trainer, "sampling_log", [])][1:]
    books = [r["bookkeeping_s"] for r in getattr(trainer, "sampling_log", [])][1:]
    return {"steps": steps, "regen": regen, "rounds": rounds, "bookkeeping": books}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", default=str(ROOT / "tests/srl/data/steps.jsonl"))
    parser.add_argument("--config", default=str(ROOT / "configs/tiny-cpu.yaml"))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")

    config = load_config(args.config, max_steps=args.steps, logging_steps=args.steps, save_strategy="no",
                         report_to="none", disable_tqdm=True, eval_strategy="no")
    steps = load_steps(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        model = build_tiny_policy(config.tiny_model(), tokenizer_corpus(steps), warm_start_pairs(steps, config.window),
                                  workdir / "tiny", max_length=config.max_prompt_tokens + config.max_completion_length)
        tokenizer = load_tokenizer(model)
        dataset = srl_dataset(steps, tokenizer, config)
        print(f"tiny policy, {len(dataset)} step rows, {config.generation_batch_size // config.num_generations} prompts x "
              f"{config.num_generations} rollouts per step, {args.steps} steps x {args.repeats} runs each")
        results = {kind: {"steps": [], "regen": [], "rounds": [], "bookkeeping": []} for kind in ("trl", "swe_srl")}
        for repeat in range(args.repeats):
            for kind in ("trl", "swe_srl"):
                out = run(kind, model, tokenizer, dataset, config, workdir / f"r{repeat}")
                for key in out:
                    results[kind][key].extend(out[key])
                print(f"run {repeat + 1} {kind:>7}: median step {statistics.median(out['steps']):.3f} s")

    trl_step = statistics.median(results["trl"]["steps"])
    srl = results["swe_srl"]
    srl_total = statistics.median(srl["steps"])
    srl_net = statistics.median([s - r for s, r in zip(srl["steps"], srl["regen"])])
    regen = statistics.mean(srl["regen"]) if srl["regen"] else 0.0
    rounds = statistics.mean(srl["rounds"]) if srl["rounds"] else 1.0
    bookkeeping = statistics.mean(srl["bookkeeping"]) if srl["bookkeeping"] else 0.0
    print(f"plain TRL GRPOTrainer: {trl_step:.3f} s/step")
    print(f"swe-srl (dynamic sampling), without refill rounds: {srl_net:.3f} s/step -> ratio {srl_net / trl_step:.3f}")
    print(f"swe-srl with refill rounds: {srl_total:.3f} s/step; refill generation {regen:.3f} s/step, "
          f"{rounds:.2f} generation rounds/step")
    print(f"dynamic-sampling bookkeeping (keep mask, cutting, re-padding): {bookkeeping * 1000:.2f} ms/step")
    print(json.dumps({
        "step_s_swe_srl": round(srl_net, 4),
        "step_s_trl": round(trl_step, 4),
        "overhead_ratio": round(srl_net / trl_step, 4),
        "step_s_swe_srl_with_regeneration": round(srl_total, 4),
        "regeneration_s_per_step": round(regen, 4),
        "generation_rounds_per_step": round(rounds, 3),
        "bookkeeping_s_per_step": round(bookkeeping, 5),
        "steps_timed": len(srl["steps"]),
        "target_ratio": 1.10,
    }))


if __name__ == "__main__":
    main()
