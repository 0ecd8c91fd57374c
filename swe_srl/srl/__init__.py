"""Supervised Reinforcement Learning for SWE agents: prompts, parsing, step reward, GRPO with dynamic sampling."""
