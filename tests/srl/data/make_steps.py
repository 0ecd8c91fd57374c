"""Write the small step-row fixture `steps.jsonl` used by the SRL tests.

Two hand-written expert trajectories on two small repos under /testbed (an INI parser
and a slug library), cut into one row per action exactly as `swe-srl collect` lays them
out: full history of earlier rounds, canonical expert action text, replayed and recorded
observations, repo patch before the step. Run it to regenerate the fixture:

    python tests/srl/data/make_steps.py
"""

from __future__ import annotations

import json
from pathlib import Path

from swe_srl.trajectory.actions import Action

HERE = Path(__file__).parent

PARSER_PY = '''"""Parse INI-style text into a Config object."""

from .convert import to_bool, to_int, to_list
from .errors import ConfigError

COMMENT_PREFIXES = ("#", ";")


class Config:
    """Sections of string values, with typed getters."""

    def __init__(self):
        self._sections = {}

    def __contains__(self, section):
        return section in self._sections

    def sections(self):
        return list(self._sections)

    def add_section(self, name):
        return self._sections.setdefault(name, {})

    def set(self, section, key, value):
        self.add_section(section)[key] = value

    def get(self, section, key, default=None):
        return self._sections.get(section, {}).get(key, default)

    def getint(self, section, key, default=None):
        value = self.get(section, key)
        return default if value is None else to_int(value)

    def getbool(self, section, key, default=None):
        value = self.get(section, key)
        return default if value is None else to_bool(value)

    def getlist(self, section, key, default=None):
        value = self.get(section, key)
        return default if value is None else to_list(value)

    def as_dict(self):
        return {name: dict(values) for name, values in self._sections.items()}


def _split_pair(line, lineno):
    """Split ``key = value`` into a stripped key and value."""
    parts = line.split("=")
    if len(parts) < 2:
        raise ConfigError(f"expected 'key = value', got {line!r}", lineno)
    key, value = parts[0].strip(), parts[1].strip()
    if not key:
        raise ConfigError("empty key", lineno)
    return key, value


def parse(text):
    """Parse configuration text and return a Config."""
    config = Config()
    section = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(COMMENT_PREFIXES):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if not section:
                raise ConfigError("empty section name", lineno)
            config.add_section(section)
            continue
        if section is None:
            raise ConfigError("key outside of any section", lineno)
        key, value = _split_pair(line, lineno)
        config.set(section, key, value)
    return config


def load(path):
    """Read and parse a configuration file."""
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read())
'''

SLUG_PY = '''"""Turn titles into URL slugs."""

import re

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text, sep="-", max_length=None):
    """Lowercase ``text`` and join its ASCII letters and digits with ``sep``.

    With ``max_length`` the slug is cut at a separator so no word is split.
    """
    slug = _NON_ALNUM.sub(sep, text.lower()).strip(sep)
    if max_length is not None and len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit(sep, 1)[0] if sep in cut else slug[:max_length]
    return slug
'''

CONFKIT_ISSUE = """Values containing `=` are silently truncated

When a value itself contains an equals sign, `confkit` keeps only the part before the second `=` and drops the rest without any error. We hit this with database URLs that carry query parameters, and with base64 secrets that end in `=` padding.

### Reproduction

```python
import confkit

cfg = confkit.parse(\"\"\"
[database]
url = postgres://db/app?sslmode=require
\"\"\")
print(repr(cfg.get("database", "url")))
```

### Expected

```
'postgres://db/app?sslmode=require'
```

### Actual

```
'postgres://db/app?sslmode'
```

Only the first `=` on a line should separate the key from the value; everything after it belongs to the value. Python's own `configparser` reads this line the way I expect.

confkit 0.1.0, Python 3.11.
"""

SLUGKIT_ISSUE = """slugify mangles accented letters instead of transliterating them

`slugify()` turns every non-ASCII letter into a separator, so titles with accents produce broken slugs. French and German titles are the main case for us.

### Reproduction

```python
from slugkit import slugify

print(slugify("Crème Brûlée"))
print(slugify("Ångström Über"))
```

### Expected

```
creme-brulee
angstrom-uber
```

### Actual

```
cr-me-br-l-e
ngstr-m-ber
```

Accented letters should keep their base letter (the way most slug libraries strip the accent), both for precomposed characters like `é` and for text where the accent is a separate combining character (`e` + U+0301).

slugkit 0.1.0, Python 3.11.
"""


def numbered(text: str, start: int = 1, stop: int | None = None) -> str:
    """Render a file the way str_replace_editor `view` does (cat -n)."""
    lines = text.splitlines()
    stop = len(lines) if stop is None else stop
    return "\n".join(f"{i:6}\t{lines[i - 1]}" for i in range(start, stop + 1))


def view_obs(path: str, text: str, start: int = 1, stop: int | None = None) -> str:
    return f"Here's the result of running `cat -n` on {path}:\n{numbered(text, start, stop)}\n"


def pytest_pass(names: list[str], seconds: float) -> str:
    dots = "." * len(names)
    return (
        "============================= test session starts ==============================\n"
        "platform linux -- Python 3.11.9, pytest-8.3.3, pluggy-1.5.0\n"
        "rootdir: /testbed\n"
        "configfile: pyproject.toml\n"
        f"collected {len(names)} items\n\n"
        f"tests/{names[0]} {dots} [100%]\n\n"
        f"============================== {len(names)} passed in {seconds:.2f}s ==============================="
    )


CONFKIT_FIX_OLD = '''    parts = line.split("=")
    if len(parts) < 2:
        raise ConfigError(f"expected 'key = value', got {line!r}", lineno)
    key, value = parts[0].strip(), parts[1].strip()'''
CONFKIT_FIX_NEW = '''    key, sep, value = line.partition("=")
    if not sep:
        raise ConfigError(f"expected 'key = value', got {line!r}", lineno)
    key, value = key.strip(), value.strip()'''

CONFKIT_PATCH = '''diff --git a/confkit/parser.py b/confkit/parser.py
index 895acb6..92b09c4 100644
--- a/confkit/parser.py
+++ b/confkit/parser.py
@@ -45,10 +45,10 @@ class Config:
 
 def _split_pair(line, lineno):
     """Split ``key = value`` into a stripped key and value."""
-    parts = line.split("=")
-    if len(parts) < 2:
+    key, sep, value = line.partition("=")
+    if not sep:
         raise ConfigError(f"expected 'key = value', got {line!r}", lineno)
-    key, value = parts[0].strip(), parts[1].strip()
+    key, value = key.strip(), value.strip()
     if not key:
         raise ConfigError("empty key", lineno)
     return key, value
'''

REPRO_CONFKIT = '''import confkit

cfg = confkit.parse("""
[database]
url = postgres://db/app?sslmode=require
secret = c2VjcmV0==
""")
print(repr(cfg.get("database", "url")))
print(repr(cfg.get("database", "secret")))
'''

REPRO_SLUGKIT = '''import unicodedata

from slugkit import slugify

print(slugify("Crème Brûlée"))
print(slugify("Ångström Über"))
print(slugify(unicodedata.normalize("NFD", "café au lait")))
'''

SLUG_FIX_OLD = '''    slug = _NON_ALNUM.sub(sep, text.lower()).strip(sep)'''
SLUG_FIX_NEW = '''    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    slug = _NON_ALNUM.sub(sep, text.lower()).strip(sep)'''

SLUG_PATCH = '''diff --git a/slugkit/slug.py b/slugkit/slug.py
index 3c1d2e0..8f4a9b1 100644
--- a/slugkit/slug.py
+++ b/slugkit/slug.py
@@ -1,6 +1,7 @@
 """Turn titles into URL slugs."""
 
 import re
+import unicodedata
 
 _NON_ALNUM = re.compile(r"[^a-z0-9]+")
 
@@ -10,6 +11,8 @@ def slugify(text, sep="-", max_length=None):
 
     With ``max_length`` the slug is cut at a separator so no word is split.
     """
+    text = unicodedata.normalize("NFKD", text)
+    text = "".join(ch for ch in text if not unicodedata.combining(ch))
     slug = _NON_ALNUM.sub(sep, text.lower()).strip(sep)
     if max_length is not None and len(slug) > max_length:
         cut = slug[: max_length + 1]
'''

SLUG_PATCH_IMPORT_ONLY = '''diff --git a/slugkit/slug.py b/slugkit/slug.py
index 3c1d2e0..5b0e7c2 100644
--- a/slugkit/slug.py
+++ b/slugkit/slug.py
@@ -10,6 +10,8 @@ def slugify(text, sep="-", max_length=None):
 
     With ``max_length`` the slug is cut at a separator so no word is split.
     """
+    text = unicodedata.normalize("NFKD", text)
+    text = "".join(ch for ch in text if not unicodedata.combining(ch))
     slug = _NON_ALNUM.sub(sep, text.lower()).strip(sep)
     if max_length is not None and len(slug) > max_length:
         cut = slug[: max_length + 1]
'''

PATCH_FIXED_CONFKIT = PARSER_PY.replace(CONFKIT_FIX_OLD, CONFKIT_FIX_NEW)
SLUG_FIXED = SLUG_PY.replace(SLUG_FIX_OLD, SLUG_FIX_NEW)
CONFKIT_TESTS = [
    "test_parser.py::test_sections_in_order",
    "test_parser.py::test_plain_values",
    "test_parser.py::test_missing_key_returns_default",
    "test_parser.py::test_whitespace_around_key_and_value_is_stripped",
    "test_parser.py::test_comments_are_ignored",
    "test_parser.py::test_key_outside_section_raises",
    "test_parser.py::test_empty_key_raises",
    "test_parser.py::test_load_reads_file",
]

# (thought, tool, args, observation, patch_before)
CONFKIT_STEPS = [
    (
        "Let me start by looking at the layout of the repository to find the parser.",
        "bash",
        {"command": "find /testbed -type f -name '*.py' | grep -v '/\\.' | sort"},
        "/testbed/confkit/__init__.py\n/testbed/confkit/convert.py\n/testbed/confkit/errors.py\n"
        "/testbed/confkit/parser.py\n/testbed/tests/test_convert.py\n/testbed/tests/test_parser.py",
        "",
    ),
    (
        "The parsing logic should be in parser.py. Let me read it.",
        "str_replace_editor",
        {"command": "view", "path": "/testbed/confkit/parser.py"},
        view_obs("/testbed/confkit/parser.py", PARSER_PY),
        "",
    ),
    (
        "`_split_pair` splits on every `=` and keeps only `parts[1]`, which drops everything after a second `=`. "
        "Let me check whether anything else splits on `=`.",
        "bash",
        {"command": "grep -rn 'split(\"=\")' /testbed/confkit"},
        '/testbed/confkit/parser.py:48:    parts = line.split("=")',
        "",
    ),
    (
        "Only one place. Let me write a reproduction script with the URL from the issue and a base64 secret.",
        "str_replace_editor",
        {"command": "create", "path": "/testbed/reproduce.py", "file_text": REPRO_CONFKIT},
        "File created successfully at: /testbed/reproduce.py",
        "",
    ),
    (
        "Now run it to confirm the bug.",
        "bash",
        {"command": "cd /testbed && python reproduce.py"},
        "'postgres://db/app?sslmode'\n'c2VjcmV0'",
        "",
    ),
    (
        "Confirmed: both values are cut at the second `=`. `str.partition` splits at the first `=` only, which "
        "is exactly the configparser behaviour the issue asks for.",
        "str_replace_editor",
        {"command": "str_replace", "path": "/testbed/confkit/parser.py", "old_str": CONFKIT_FIX_OLD,
         "new_str": CONFKIT_FIX_NEW},
        "The file /testbed/confkit/parser.py has been edited. Here's the result of running `cat -n` on a snippet "
        "of /testbed/confkit/parser.py:\n" + numbered(PATCH_FIXED_CONFKIT, 44, 56) + "\nReview the changes and make "
        "sure they are as expected. Edit the file again if necessary.",
        "",
    ),
    (
        "Let me rerun the reproduction script.",
        "bash",
        {"command": "cd /testbed && python reproduce.py"},
        "'postgres://db/app?sslmode=require'\n'c2VjcmV0=='",
        CONFKIT_PATCH,
    ),
    (
        "Both values are intact now. Let me make sure a line without `=` still raises.",
        "bash",
        {"command": "cd /testbed && python -c \"import confkit; confkit.parse('[a]\\nnovalue')\""},
        "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
        "  File \"/testbed/confkit/parser.py\", line 73, in parse\n    key, value = _split_pair(line, lineno)\n"
        "                 ^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"/testbed/confkit/parser.py\", line 50, in _split_pair\n"
        "    raise ConfigError(f\"expected 'key = value', got {line!r}\", lineno)\n"
        "confkit.errors.ConfigError: line 2: expected 'key = value', got 'novalue'",
        CONFKIT_PATCH,
    ),
    (
        "Good. Now the existing test suite.",
        "bash",
        {"command": "cd /testbed && python -m pytest tests/test_parser.py -q"},
        pytest_pass(CONFKIT_TESTS, 0.03),
        CONFKIT_PATCH,
    ),
    (
        "All tests pass. Let me remove the reproduction script before submitting.",
        "bash",
        {"command": "rm /testbed/reproduce.py"},
        "",
        CONFKIT_PATCH,
    ),
    (
        "The fix is complete: only the first `=` separates key and value.",
        "submit",
        {},
        "Thank you for your work on this issue. Please carefully follow the steps below to help review your "
        "changes.\n\n" + CONFKIT_PATCH,
        CONFKIT_PATCH,
    ),
]

SLUG_TESTS = [f"test_slug.py::test_{n}" for n in range(6)]

SLUGKIT_STEPS = [
    (
        "I'll look at the repository structure first.",
        "str_replace_editor",
        {"command": "view", "path": "/testbed"},
        "Here's the files and directories up to 2 levels deep in /testbed, excluding hidden items:\n/testbed\n"
        "/testbed/README.md\n/testbed/pyproject.toml\n/testbed/slugkit\n/testbed/slugkit/__init__.py\n"
        "/testbed/slugkit/slug.py\n/testbed/slugkit/wrap.py\n/testbed/tests\n/testbed/tests/test_slug.py\n"
        "/testbed/tests/test_wrap.py\n",
        "",
    ),
    (
        "Let me find where slugify is defined.",
        "bash",
        {"command": "grep -rn 'def slugify' /testbed/slugkit"},
        '/testbed/slugkit/slug.py:8:def slugify(text, sep="-", max_length=None):',
        "",
    ),
    (
        "Let me read the function.",
        "str_replace_editor",
        {"command": "view", "path": "/testbed/slugkit/slug.py", "view_range": [1, 17]},
        view_obs("/testbed/slugkit/slug.py", SLUG_PY, 1, 17),
        "",
    ),
    (
        "The regex `[^a-z0-9]+` replaces every non-ASCII character with the separator. "
        "I'll reproduce it first, including a decomposed (NFD) input.",
        "str_replace_editor",
        {"command": "create", "path": "/testbed/reproduce.py", "file_text": REPRO_SLUGKIT},
        "File created successfully at: /testbed/reproduce.py",
        "",
    ),
    (
        "Run the script.",
        "bash",
        {"command": "cd /testbed && python reproduce.py"},
        "cr-me-br-l-e\nngstr-m-ber\ncafe-au-lait",
        "",
    ),
    (
        "The precomposed cases are broken. NFKD normalisation splits `é` into `e` plus a combining accent, and "
        "dropping combining characters keeps the base letter. I'll add that before the regex.",
        "str_replace_editor",
        {"command": "str_replace", "path": "/testbed/slugkit/slug.py", "old_str": SLUG_FIX_OLD,
         "new_str": SLUG_FIX_NEW},
        "The file /testbed/slugkit/slug.py has been edited. Here's the result of running `cat -n` on a snippet of "
        "/testbed/slugkit/slug.py:\n" + numbered(SLUG_FIXED, 9, 19) + "\nReview the changes and make sure they "
        "are as expected. Edit the file again if necessary.",
        "",
    ),
    (
        "The module needs to import unicodedata.",
        "str_replace_editor",
        {"command": "insert", "path": "/testbed/slugkit/slug.py", "insert_line": 3, "new_str": "import unicodedata"},
        "The file /testbed/slugkit/slug.py has been edited. Here's the result of running `cat -n` on a snippet of "
        "the edited file:\n     1\t\"\"\"Turn titles into URL slugs.\"\"\"\n     2\t\n     3\timport re\n"
        "     4\timport unicodedata\n     5\t\n     6\t_NON_ALNUM = re.compile(r\"[^a-z0-9]+\")\n"
        "Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). "
        "Edit the file again if necessary.",
        SLUG_PATCH_IMPORT_ONLY,
    ),
    (
        "Rerun the reproduction.",
        "bash",
        {"command": "cd /testbed && python reproduce.py"},
        "creme-brulee\nangstrom-uber\ncafe-au-lait",
        SLUG_PATCH,
    ),
    (
        "Fixed. Run the existing tests to check nothing else changed.",
        "bash",
        {"command": "cd /testbed && python -m pytest tests -q"},
        pytest_pass(SLUG_TESTS + [f"test_wrap.py::test_{n}" for n in range(4)], 0.05),
        SLUG_PATCH,
    ),
    (
        "Everything passes. Clean up and submit.",
        "bash",
        {"command": "rm /testbed/reproduce.py && cd /testbed && git status --short"},
        " M slugkit/slug.py",
        SLUG_PATCH,
    ),
    (
        "Done.",
        "submit",
        {},
        "Thank you for your work on this issue. Please carefully follow the steps below to help review your "
        "changes.\n\n" + SLUG_PATCH,
        SLUG_PATCH,
    ),
]


def rows_for(instance_id: str, trajectory_id: str, issue: str, steps: list) -> list[dict]:
    rounds = [(t, Action.make(tool, args), obs, patch) for t, tool, args, obs, patch in steps]
    rows = []
    for k, (thought, action, obs, patch) in enumerate(rounds):
        history = [{"thought": t, "action": a.to_text(), "observation": o} for t, a, o, _ in rounds[:k]]
        recorded = obs.replace("0.03s", "0.04s").replace("0.05s", "0.06s")
        rows.append(
            {
                "instance_id": instance_id,
                "trajectory_id": trajectory_id,
                "step_index": k,
                "num_steps": len(rounds),
                "problem_statement": issue,
                "history": history,
                "expert_action": action.to_text(),
                "expert_tool": action.tool,
                "expert_args": dict(action.args),
                "expert_thought": thought,
                "observation": obs,
                "recorded_observation": recorded,
                "divergence": 0.0 if recorded == obs else 0.01,
                "patch_before": patch,
                "image": f"swe-srl/{instance_id}:latest",
                "source_format": "swe-smith",
            }
        )
    return rows


def main() -> None:
    rows = rows_for("swe-srl__confkit-1", "swe-srl__confkit-1.claude.0", CONFKIT_ISSUE, CONFKIT_STEPS)
    rows += rows_for("swe-srl__slugkit-1", "swe-srl__slugkit-1.claude.0", SLUGKIT_ISSUE, SLUGKIT_STEPS)
    with open(HERE / "steps.jsonl", "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {HERE / 'steps.jsonl'}")


if __name__ == "__main__":
    main()
