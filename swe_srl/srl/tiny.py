"""A tiny Qwen2-architecture policy built locally, for CPU runs and tests.

No weights or tokenizers can be downloaded here, so `model: tiny` trains a byte-level BPE
tokenizer on the step data, gives it a ChatML template like Qwen2.5's, builds a small
`Qwen2ForCausalLM` and warm-starts it with a few supervised steps on the expert steps, so
its sampled outputs follow the format sometimes (GRPO needs reward variance).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

import torch

from swe_srl.srl.config import TinyModelConfig

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# Markup of the policy format as plain (not special) added tokens: decoding with
# skip_special_tokens=True, as TRL does, must keep them.
MARKUP_TOKENS = ["<think>", "</think>", "<function=", "</function>", "<parameter=", "</parameter>"]

CHATML_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def build_tokenizer(corpus: Iterable[str], vocab_size: int = 4096, *, span_whitespace: bool = True):
    """Train a byte-level BPE tokenizer on `corpus` and wrap it as a HF fast tokenizer.

    With `span_whitespace` merges may cross spaces and newlines, so the boilerplate that
    repeats in every step (system prompt, tool markup) becomes a handful of tokens and CPU
    runs stay short; without it, tokens stop at word boundaries as in real LLM tokenizers.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=not span_whitespace)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    hf = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
        clean_up_tokenization_spaces=False,
        padding_side="left",
    )
    hf.add_tokens(MARKUP_TOKENS)
    hf.chat_template = CHATML_TEMPLATE
    return hf


def build_model(tokenizer, config: TinyModelConfig, seed: int = 0):
    """A randomly initialised Qwen2ForCausalLM sized by `config`."""
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    model_config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden_size,
        intermediate_size=config.intermediate_size,
        num_hidden_layers=config.num_hidden_layers,
        num_attention_heads=config.num_attention_heads,
        num_key_value_heads=config.num_key_value_heads,
        max_position_embeddings=config.max_position_embeddings,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = Qwen2ForCausalLM(model_config)
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, do_sample=True
    )
    return model


def warm_start(
    model,
    tokenizer,
    pairs: Sequence[tuple[list[dict], str]],
    *,
    steps: int,
    lr: float,
    batch_size: int,
    max_length: int,
    seed: int = 0,
) -> list[float]:
    """A few teacher-forced steps on (messages, completion) pairs, loss on the completion only."""
    if steps <= 0 or not pairs:
        return []
    rng = random.Random(seed)
    examples = []
    for messages, completion in pairs:
        prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        # Keep the completion's head and as much of the prompt's tail as fits.
        c = tokenizer(completion, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        c = c[: max_length // 2]
        p = tokenizer(prompt)["input_ids"][-(max_length - len(c)) :]
        examples.append((p + c, [-100] * len(p) + c))
    optim = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        batch = [examples[rng.randrange(len(examples))] for _ in range(batch_size)]
        width = max(len(ids) for ids, _ in batch)
        input_ids = torch.full((len(batch), width), tokenizer.pad_token_id)
        labels = torch.full((len(batch), width), -100)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, (ids, lab) in enumerate(batch):
            input_ids[i, : len(ids)] = torch.tensor(ids)
            labels[i, : len(lab)] = torch.tensor(lab)
            mask[i, : len(ids)] = 1
        loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        optim.zero_grad()
        losses.append(float(loss.detach()))
    model.eval()
    return losses


def _fingerprint(config: TinyModelConfig, corpus: Sequence[str], pairs: Sequence[tuple[list[dict], str]], seed: int) -> str:
    h = hashlib.sha256(json.dumps(dataclasses.asdict(config), sort_keys=True).encode())
    h.update(str(seed).encode())
    for text in corpus:
        h.update(text.encode("utf-8", "replace"))
    for messages, completion in pairs:
        h.update(json.dumps(messages).encode("utf-8", "replace"))
        h.update(completion.encode("utf-8", "replace"))
    return h.hexdigest()[:16]


def build_tiny_policy(
    config: TinyModelConfig,
    corpus: Sequence[str],
    pairs: Sequence[tuple[list[dict], str]],
    out_dir: str | Path,
    *,
    max_length: int = 2048,
    seed: int = 0,
) -> Path:
    """Build (or reuse, when inputs are unchanged) a tiny policy saved under `out_dir`.

    Returns the folder, loadable with `from_pretrained` like any Hub checkpoint.
    """
    out_dir = Path(out_dir)
    stamp = _fingerprint(config, corpus, pairs, seed)
    marker = out_dir / "tiny_fingerprint.txt"
    if marker.exists() and marker.read_text().strip() == stamp:
        return out_dir
    tokenizer = build_tokenizer(corpus, config.vocab_size)
    model = build_model(tokenizer, config, seed)
    torch.manual_seed(seed)
    warm_start(
        model,
        tokenizer,
        pairs,
        steps=config.warm_start_steps,
        lr=config.warm_start_learning_rate,
        batch_size=config.warm_start_batch_size,
        max_length=max_length,
        seed=seed,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    marker.write_text(stamp)
    return out_dir
