"""Supervised Reinforcement Learning for SWE agents.

One module per job: `prompt` (issue + last K rounds, fitted to the token budget),
`parse` (monologue + one canonical call), `reward` (the step reward as a TRL reward
function; `native` is its exact C ratio), `sampling` and `trainer` (GRPO on TRL with
dynamic sampling), `sft` (the SFT baseline), `data` (step rows in, training rows out),
`config` (TRL's GRPOConfig/SFTConfig + SRL's fields, from YAML), `trl_version` (the
TRL pin), `tiny` (a local tiny policy), `checkpoint` (save/load for eval),
`run` and `cli` (`swe-srl train`).
"""
