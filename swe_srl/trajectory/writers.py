"""Render a canonical Trajectory back into each source format.

Used to ship sample data in every supported format from one expert run, and to test
that readers and writers agree: `read_<fmt>(write_<fmt>(traj))` gives back the same
rounds. Each record carries a system prompt and the issue in the first user message
the way the real format does (prompts shortened from the originals).

What each format can express:
- openhands, openhands_text, swe_smith, swe_agent, canonical: every canonical call.
- nebius (SWE-agent 0.x commands): bash, submit, `str_replace_editor view` without
  view_range (`open PATH`) and `create` with empty file_text (`create PATH`).
- mini_swe_agent (bash only): bash and submit.
Other calls raise WriteError; with ``strict=False`` nebius/mini render editor calls as
an equivalent shell command (cat -n / sed / a python3 heredoc), which reads back as
bash, and drop think rounds. `undo_edit` has no shell equivalent at all. Surrounding
whitespace of a bash command is not kept by nebius (SWE-agent strips it).
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any, Callable

from swe_srl.trajectory.actions import Action, to_text
from swe_srl.trajectory.model import Round, Trajectory
from swe_srl.trajectory.readers.mini_swe_agent import is_submit
from swe_srl.trajectory.readers._common import split_footer
from swe_srl.trajectory.readers.old_commands import MAPPED


class WriteError(ValueError):
    """A round the target format cannot express."""

    def __init__(self, fmt: str, index: int, reason: str):
        super().__init__(f"{fmt}: round {index}: {reason}")
        self.fmt, self.index, self.reason = fmt, index, reason


# ---------------------------------------------------------------- prompts

CHAT_SYSTEM = (
    "You are a helpful assistant that can interact with a computer to solve tasks.\n<IMPORTANT>\n"
    "* If user provides a path, you should NOT assume it's relative to the current working directory. "
    "Instead, you should explore the file system to find the file before working on it.\n</IMPORTANT>\n"
)


def uploaded_prompt(root: str, issue: str) -> str:
    """The OpenHands / SWE-smith first user message."""
    return (
        f"<uploaded_files>\n{root}\n</uploaded_files>\n"
        f"I've uploaded a python code repository in the directory {root}. Consider the following PR description:\n\n"
        f"<pr_description>\n{issue}\n</pr_description>\n\n"
        "Can you help me implement the necessary changes to the repository so that the requirements specified "
        "in the <pr_description> are met?\nI've already taken care of all changes to any of the test files "
        "described in the <pr_description>. This means you DON'T have to modify the testing logic or any of the "
        f"tests in any way!\nYour task is to make the minimal changes to non-tests files in the {root} directory "
        "to ensure the <pr_description> is satisfied.\nFollow these steps to resolve the issue:\n"
        "1. As a first step, it might be a good idea to find and read code relevant to the <pr_description>\n"
        "2. Create a script to reproduce the error and execute it with `python <filename.py>` using the bash tool, "
        "to confirm the error\n3. Edit the source code of the repo to resolve the issue\n"
        "4. Rerun your reproduce script and confirm that the error is fixed!\n"
        "5. Think about edgecases and make sure your fix handles them as well\n"
        "Your thinking should be thorough and so it's fine if it's very long."
    )


_PARAMS: dict[str, list[tuple[str, str, bool, str]]] = {
    "bash": [("command", "string", True, "The bash command to execute.")],
    "str_replace_editor": [
        ("command", "string", True, "The commands to run: view, create, str_replace, insert, undo_edit."),
        ("path", "string", True, "Absolute path to file or directory, e.g. `/testbed/file.py` or `/testbed`."),
        ("file_text", "string", False, "Required for `create`: the content of the file to be created."),
        ("old_str", "string", False, "Required for `str_replace`: the string in `path` to replace."),
        ("new_str", "string", False, "For `str_replace` the new string; for `insert` the string to insert."),
        ("insert_line", "integer", False, "Required for `insert`: `new_str` is inserted AFTER this line."),
        ("view_range", "array", False, "Optional for `view` of a file: [start, end] line numbers, end -1 for all."),
    ],
    "submit": [],
    "think": [("thought", "string", True, "The thought to log.")],
}
_DESCRIPTIONS = {
    "bash": "Execute a bash command in the terminal.",
    "str_replace_editor": "Custom editing tool for viewing, creating and editing files.\n"
    "* If `path` is a file, `view` displays the result of applying `cat -n`; if a directory, it lists files "
    "up to 2 levels deep.\n* `old_str` must match EXACTLY one or more consecutive lines of the file.",
    "submit": "Finish the interaction when the task is complete OR if the assistant cannot proceed further with the task.",
    "think": "Use the tool to think about something. It will not obtain new information or make any changes.",
}
OPENHANDS_NAMES = {"bash": "execute_bash", "submit": "finish", "str_replace_editor": "str_replace_editor", "think": "think"}


def _schema(tool: str, name: str) -> dict:
    props: dict[str, Any] = {}
    for pname, ptype, _, desc in _PARAMS[tool]:
        props[pname] = {"type": ptype, "description": desc}
        if ptype == "array":
            props[pname]["items"] = {"type": "integer"}
    required = [p for p, _, req, _ in _PARAMS[tool] if req]
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": _DESCRIPTIONS[tool],
            "parameters": {"type": "object", "properties": props, "required": required},
        },
    }


def _text_tools(names: dict[str, str]) -> str:
    """Function descriptions in the text form OpenHands/SWE-smith put in the system prompt."""
    out = ["You have access to the following functions:\n"]
    for i, (tool, name) in enumerate(names.items(), start=1):
        out.append(f"---- BEGIN FUNCTION #{i}: {name} ----\nDescription: {_DESCRIPTIONS[tool]}\n")
        if _PARAMS[tool]:
            out.append("Parameters:")
            for j, (pname, ptype, req, desc) in enumerate(_PARAMS[tool], start=1):
                out.append(f"  ({j}) {pname} ({ptype}, {'required' if req else 'optional'}): {desc}")
        else:
            out.append("No parameters are required for this function.")
        out.append(f"---- END FUNCTION #{i} ----\n")
    out.append(
        "If you choose to call a function ONLY reply in the following format with NO suffix:\n\n"
        "<function=example_function_name>\n<parameter=example_parameter_1>value_1</parameter>\n"
        "<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\n"
        "multiple lines\n</parameter>\n</function>\n\n<IMPORTANT>\nReminder:\n"
        "- Function calls MUST follow the specified format, start with <function= and end with </function>\n"
        "- Required parameters MUST be specified\n- Only call one function at a time\n"
        "- Always provide reasoning for your function call in natural language BEFORE the function call "
        "(not after)\n</IMPORTANT>"
    )
    return "\n".join(out)


OLD_SYSTEM = (
    "SETTING: You are an autonomous programmer, and you're working directly in the command line with a "
    "special interface.\n\nThe special interface consists of a file editor that shows you 100 lines of a file "
    "at a time.\nIn addition to typical bash commands, you can also use the following commands to help you "
    "navigate and edit files.\n\nCOMMANDS:\n"
    "open:\n  docstring: opens the file at the given path in the editor\n  signature: open <path> [<line_number>]\n\n"
    "goto:\n  docstring: moves the window to show <line_number>\n  signature: goto <line_number>\n\n"
    "scroll_down:\n  signature: scroll_down\n\nscroll_up:\n  signature: scroll_up\n\n"
    "create:\n  docstring: creates and opens a new file with the given name\n  signature: create <filename>\n\n"
    "submit:\n  docstring: submits your current code and terminates the session\n  signature: submit\n\n"
    "search_dir:\n  signature: search_dir <search_term> [<dir>]\n\n"
    "search_file:\n  signature: search_file <search_term> [<file>]\n\n"
    "find_file:\n  signature: find_file <file_name> [<dir>]\n\n"
    "edit:\n  docstring: replaces lines <start_line> through <end_line> (inclusive) with the given text in the "
    "open file.\n  signature: edit <start_line>:<end_line>\n<replacement_text>\nend_of_edit\n\n"
    "RESPONSE FORMAT:\nYour shell prompt is formatted as follows:\n(Open file: <path>) <cwd> $\n\n"
    "You need to format your output using two fields; discussion and command.\nYour output should always "
    "include _one_ discussion and _one_ command field EXACTLY as in the following example:\nDISCUSSION\n"
    "First I'll start by using ls to see what files are in the current directory.\n```\nls -a\n```\n\n"
    "You should only include a *SINGLE* command in the command section and then wait for a response from the "
    "shell before continuing with more discussion and commands."
)


def old_instance_prompt(issue: str) -> str:
    """The SWE-agent 0.x first user message (nebius data)."""
    return (
        "We're currently solving the following issue within our repository. Here's the issue text:\n"
        f"ISSUE:\n{issue}\n\nINSTRUCTIONS:\nNow, you're going to solve this issue on your own. Your terminal "
        "session has started and you're in the repository's root directory. You can use any bash commands or "
        "the special interface to help you. Edit all the files you need to and run any checks or tests that "
        "you want.\nRemember, YOU CAN ONLY ENTER ONE COMMAND AT A TIME. You should always wait for feedback "
        "after every command.\nWhen you're satisfied with all of the changes you've made, you can submit your "
        "changes to the code base by simply running the submit command.\nNote however that you cannot use any "
        "interactive session commands (e.g. python, vim) in this environment, but you can write scripts and "
        "run them. E.g. you can write a python script and then run it with `python <script_name>.py`.\n\n"
        "NOTE ABOUT THE EDIT COMMAND: Indentation really matters! When editing a file, make sure to insert "
        "appropriate indentation before each line!"
    )


MINI_SYSTEM = (
    "You are a helpful assistant that can interact with a computer.\n\nYour response must contain exactly ONE "
    "bash code block with ONE command (or commands connected with && or ||).\nInclude a THOUGHT section before "
    "your command where you explain your reasoning process.\nFormat your response as shown in "
    "<format_example>.\n\n<format_example>\nYour reasoning and analysis here. Explain why you want to perform "
    "the action.\n\n```mswea_bash_command\nyour_command_here\n```\n</format_example>\n\nFailure to follow these "
    "rules will cause your response to be rejected.\nTo finish, issue the following command: "
    "`echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`\nwithout any other command.\n"
)


def mini_instance_prompt(issue: str) -> str:
    return (
        f"Please solve this issue: {issue}\n\nYou can execute bash commands and edit files to implement the "
        "necessary changes.\n\n## Recommended Workflow\n1. Analyze the codebase by finding and reading relevant "
        "files\n2. Create a script to reproduce the issue\n3. Edit the source code to resolve the issue\n"
        "4. Verify your fix works by running your script again\n5. Test edge cases to ensure your fix is robust\n\n"
        "## Important Rules\n\n1. Every response must contain exactly one action\n2. The action must be enclosed "
        "in triple backticks\n3. Directory or environment variable changes are not persistent. Every action is "
        "executed in a new subshell.\n4. To finish, issue the following command: "
        "`echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`.\n   Do not combine it with any other command."
    )


MINI_SUBMIT = "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached"

# ---------------------------------------------------------------- helpers


def _root(traj: Trajectory) -> str:
    return traj.workspace or "/testbed"


def _call_args(action: Action) -> dict[str, Any]:
    """Arguments typed as a function-calling model sends them (ints, int lists)."""
    out: dict[str, Any] = {}
    for key, value in action.args.items():
        if key == "insert_line" and re.fullmatch(r"-?\d+", value):
            out[key] = int(value)
        elif key == "view_range":
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        else:
            out[key] = value
    return out


def _with_thought(thought: str, call: str, sep: str = "\n\n") -> str:
    return f"{thought}{sep}{call}" if thought else call


def _needs_reply(rnd: Round) -> bool:
    # A final submit with nothing printed has no tool reply in the real formats.
    return not (rnd.action.tool == "submit" and rnd.observation == "")


def _check_xml_safe(fmt: str, k: int, rnd: Round) -> None:
    if "<function=" in rnd.thought:
        raise WriteError(fmt, k, "thought contains '<function=' and would read back as a second call")
    if any("</parameter>" in v for v in rnd.action.args.values()):
        raise WriteError(fmt, k, "an argument contains '</parameter>'")


def shell_equivalent(action: Action) -> str:
    """A bash command with the effect of an editor call (for bash-only formats)."""
    a = action.args
    path = shlex.quote(a.get("path", ""))
    cmd = a.get("command")
    if cmd == "view":
        if "view_range" in a:
            start, end = json.loads(a["view_range"])
            return f"cat -n {path} | sed -n '{start},{'$' if end == -1 else end}p'"
        return f"if [ -d {path} ]; then find {path} -maxdepth 2 -not -path '*/.*'; else cat -n {path}; fi"
    body = ["import pathlib", f"p = pathlib.Path({a.get('path')!r})"]
    if cmd == "create":
        body += ["p.parent.mkdir(parents=True, exist_ok=True)", f"p.write_text({a.get('file_text', '')!r})"]
    elif cmd == "str_replace":
        body += [
            "s = p.read_text()",
            f"old, new = {a.get('old_str', '')!r}, {a.get('new_str', '')!r}",
            "assert s.count(old) == 1, 'old_str must occur exactly once'",
            "p.write_text(s.replace(old, new))",
        ]
    elif cmd == "insert":
        body += [
            "lines = p.read_text().splitlines(keepends=True)",
            f"n = {int(a.get('insert_line', '0'))}",
            f"p.write_text(''.join(lines[:n] + [{a.get('new_str', '')!r} + '\\n'] + lines[n:]))",
        ]
    else:
        raise ValueError(f"str_replace_editor {cmd} has no shell equivalent")
    return "python3 - <<'PYEOF'\n" + "\n".join(body) + "\nPYEOF"


# ---------------------------------------------------------------- writers


def write_openhands(traj: Trajectory, strict: bool = True) -> dict:
    """SWE-Gym OpenHands release: chat with tool_calls and 'OBSERVATION:' tool replies."""
    msgs: list[dict] = [
        {"role": "system", "content": CHAT_SYSTEM},
        {"role": "user", "content": uploaded_prompt(_root(traj), traj.problem_statement or "")},
    ]
    for k, rnd in enumerate(traj.rounds):
        name, cid = OPENHANDS_NAMES[rnd.action.tool], f"call_{k:04d}"
        fn = {"name": name, "arguments": json.dumps(_call_args(rnd.action))}
        msgs.append({"role": "assistant", "content": rnd.thought, "tool_calls": [{"id": cid, "type": "function", "function": fn}]})
        if _needs_reply(rnd):
            msgs.append({"role": "tool", "content": f"OBSERVATION:\n{rnd.observation}", "tool_call_id": cid, "name": name})
    return {
        "instance_id": traj.instance_id,
        "run_id": traj.trajectory_id,
        "resolved": traj.resolved,
        "messages": msgs,
        "tools": [_schema(t, n) for t, n in OPENHANDS_NAMES.items()],
        "test_result": {"git_patch": traj.patch or ""},
    }


def write_openhands_text(traj: Trajectory, strict: bool = True) -> dict:
    """OpenHands text mode: `<function=...>` in assistant text, 'EXECUTION RESULT of [...]' replies."""
    msgs: list[dict] = [
        {"role": "system", "content": CHAT_SYSTEM + "\n" + _text_tools(OPENHANDS_NAMES)},
        {"role": "user", "content": uploaded_prompt(_root(traj), traj.problem_statement or "")},
    ]
    for k, rnd in enumerate(traj.rounds):
        _check_xml_safe("openhands_text", k, rnd)
        name = OPENHANDS_NAMES[rnd.action.tool]
        msgs.append({"role": "assistant", "content": _with_thought(rnd.thought, to_text(name, rnd.action.args))})
        if _needs_reply(rnd):
            msgs.append({"role": "user", "content": f"EXECUTION RESULT of [{name}]:\n{rnd.observation}"})
    return {"instance_id": traj.instance_id, "resolved": traj.resolved, "messages": msgs, "patch": traj.patch or ""}


def write_swe_smith(traj: Trajectory, strict: bool = True) -> dict:
    """SWE-smith fine-tuning rendering: XML calls in assistant text, 'OBSERVATION:' user turns."""
    names = {"bash": "bash", "submit": "submit", "str_replace_editor": "str_replace_editor"}
    if any(r.action.tool == "think" for r in traj.rounds):
        names["think"] = "think"
    msgs: list[dict] = [
        {"role": "system", "content": CHAT_SYSTEM + "\n" + _text_tools(names)},
        {"role": "user", "content": uploaded_prompt(_root(traj), traj.problem_statement or "")},
    ]
    for k, rnd in enumerate(traj.rounds):
        _check_xml_safe("swe_smith", k, rnd)
        msgs.append({"role": "assistant", "content": _with_thought(rnd.thought, rnd.action_text)})
        if _needs_reply(rnd):
            msgs.append({"role": "user", "content": f"OBSERVATION:\n{rnd.observation}"})
    return {
        "messages": msgs,
        "instance_id": traj.instance_id,
        "resolved": traj.resolved,
        "model": traj.model,
        "traj_id": traj.trajectory_id,
        "patch": traj.patch or "",
    }


def _sweagent_action(action: Action) -> str:
    # SWE-agent's `action` field: the call as a command line.
    if action.tool == "bash":
        return action.args["command"]
    if action.tool == "submit":
        return "submit"
    parts = [action.tool] + [shlex.quote(v) if k in ("command", "path") else f"--{k} {shlex.quote(v)}" for k, v in action.args.items()]
    return " ".join(parts)


def write_swe_agent(traj: Trajectory, strict: bool = True) -> dict:
    """SWE-agent 1.x `.traj` with a function-calling history (as SWE-smith's runs)."""
    root = _root(traj)
    history: list[dict] = [
        {"role": "system", "content": CHAT_SYSTEM, "agent": "main", "message_type": "system_prompt"},
        {
            "role": "user",
            "content": [{"type": "text", "text": uploaded_prompt(root, traj.problem_statement or "")}],
            "agent": "main",
            "message_type": "observation",
        },
    ]
    steps = []
    for k, rnd in enumerate(traj.rounds):
        cid = f"call_{k:04d}"
        fn = {"name": rnd.action.tool, "arguments": json.dumps(_call_args(rnd.action))}
        action = _sweagent_action(rnd.action)
        history.append(
            {
                "role": "assistant",
                "content": rnd.thought,
                "thought": rnd.thought,
                "action": action,
                "agent": "main",
                "tool_calls": [{"id": cid, "type": "function", "function": fn}],
                "message_type": "action",
            }
        )
        if _needs_reply(rnd):
            history.append(
                {
                    "role": "tool",
                    "content": [{"type": "text", "text": f"OBSERVATION:\n{rnd.observation}"}],
                    "agent": "main",
                    "message_type": "observation",
                    "tool_call_ids": [cid],
                }
            )
        steps.append(
            {
                "action": action,
                "observation": rnd.observation,
                "response": _with_thought(rnd.thought, action),
                "thought": rnd.thought,
                "execution_time": 0.0,
                "state": {"working_dir": root},
            }
        )
    submitted = bool(traj.rounds) and traj.rounds[-1].action.tool == "submit"
    replay = {
        "env": {"repo": {"repo_name": root.strip("/")}} if root.count("/") == 1 else {},
        "agent": {"model": {"name": traj.model}} if traj.model else {},
        "problem_statement": {"type": "text", "id": traj.instance_id, "text": traj.problem_statement or ""},
    }
    return {
        "environment": traj.instance_id,
        "trajectory": steps,
        "history": history,
        "info": {"submission": traj.patch or "", "exit_status": "submitted" if submitted else "exit_unknown"},
        "replay_config": json.dumps(replay),
    }


def _old_command(k: int, action: Action, strict: bool) -> str | None:
    """The SWE-agent 0.x command for a call (None: drop the round in lossy mode)."""
    a = action.args
    if action.tool == "submit":
        return "submit"
    if action.tool == "bash":
        first = a["command"].split(None, 1)[0] if a["command"].strip() else ""
        if strict and first in MAPPED:
            raise WriteError("nebius", k, f"bash command starting with {first!r} would read back as that SWE-agent command")
        if strict and a["command"] != a["command"].strip():
            raise WriteError("nebius", k, "SWE-agent strips whitespace around commands")
        return a["command"]
    if action.tool == "str_replace_editor":
        if a["command"] == "view" and "view_range" not in a:
            return f"open {shlex.quote(a['path'])}"
        if a["command"] == "create" and a.get("file_text", "") == "":
            return f"create {shlex.quote(a['path'])}"
        if strict or a["command"] == "undo_edit":
            raise WriteError("nebius", k, f"str_replace_editor {a['command']} has no exact SWE-agent 0.x command")
        return shell_equivalent(action)
    if strict:
        raise WriteError("nebius", k, f"{action.tool} has no SWE-agent 0.x command")
    return None


def _footer(open_file: str, root: str) -> str:
    return f"(Open file: {open_file})\n(Current directory: {root})\nbash-$"


def write_nebius(traj: Trajectory, strict: bool = True) -> dict:
    """nebius/SWE-agent-trajectories: system/user/ai turns, fenced 0.x commands, footers."""
    root = _root(traj)
    turn = {"system_prompt": None, "mask": False, "cutoff_date": None}
    turns: list[dict] = [
        {**turn, "role": "system", "text": None, "system_prompt": OLD_SYSTEM, "cutoff_date": "01.01.2023"},
        {**turn, "role": "user", "text": old_instance_prompt(traj.problem_statement or "") + "\n\n\n" + _footer("n/a", root)},
    ]
    open_file = "n/a"
    for k, rnd in enumerate(traj.rounds):
        command = _old_command(k, rnd.action, strict)
        if command is None:
            continue
        turns.append({**turn, "role": "ai", "mask": True, "text": _with_thought(rnd.thought, f"```\n{command}\n```", "\n")})
        if rnd.action.tool == "str_replace_editor" and command.startswith(("open ", "create ")):
            open_file = rnd.action.args["path"]
        if _needs_reply(rnd):
            # Observations replayed with SWE-agent's windowed tools carry their footer already.
            has_footer = split_footer(rnd.observation)[1] is not None
            text = rnd.observation if has_footer else f"{rnd.observation}\n{_footer(open_file, root)}"
            turns.append({**turn, "role": "user", "text": text})
    return {
        "instance_id": traj.instance_id,
        "model_name": traj.model or "",
        "target": traj.resolved,
        "trajectory": turns,
        "exit_status": "submitted" if traj.rounds and traj.rounds[-1].action.tool == "submit" else "",
        "generated_patch": traj.patch or "",
        "eval_logs": "",
    }


def _mini_command(k: int, action: Action, strict: bool) -> str | None:
    if action.tool == "submit":
        return MINI_SUBMIT
    if action.tool == "bash":
        command = action.args["command"]
        if strict and (is_submit(command) or "\n```" in command):
            raise WriteError("mini_swe_agent", k, "bash command would not read back as the same command")
        return command
    if action.tool == "str_replace_editor" and not strict and action.args["command"] != "undo_edit":
        return shell_equivalent(action)
    if action.tool == "think" and not strict:
        return None
    raise WriteError("mini_swe_agent", k, f"mini-swe-agent is bash-only: cannot express {action.tool}")


def write_mini_swe_agent(traj: Trajectory, strict: bool = True) -> dict:
    """A mini-swe-agent saved run: {messages, info, trajectory_format} plus instance_id."""
    msgs: list[dict] = [
        {"role": "system", "content": MINI_SYSTEM},
        {"role": "user", "content": mini_instance_prompt(traj.problem_statement or "")},
    ]
    for k, rnd in enumerate(traj.rounds):
        command = _mini_command(k, rnd.action, strict)
        if command is None:
            continue
        msgs.append({"role": "assistant", "content": _with_thought(rnd.thought, f"```mswea_bash_command\n{command}\n```")})
        if rnd.action.tool == "submit":
            msgs.append({"role": "user", "content": rnd.observation})
        else:
            code = 0 if rnd.exit_code is None else rnd.exit_code
            msgs.append({"role": "user", "content": f"<returncode>{code}</returncode>\n<output>\n{rnd.observation}</output>"})
    return {
        "instance_id": traj.instance_id,
        "info": {"exit_status": "Submitted", "submission": traj.patch or "", "config": {"model": {"model_name": traj.model}}},
        "messages": msgs,
        "trajectory_format": "mini-swe-agent-1",
    }


def write_canonical(traj: Trajectory, strict: bool = True) -> dict:
    """The project's own JSON (what eval saves and collect reads back)."""
    return traj.model_dump(mode="json")


WRITERS: dict[str, Callable[..., Any]] = {
    "openhands": write_openhands,
    "openhands_text": write_openhands_text,
    "swe_agent": write_swe_agent,
    "swe_smith": write_swe_smith,
    "nebius": write_nebius,
    "mini_swe_agent": write_mini_swe_agent,
    "canonical": write_canonical,
}


def write(traj: Trajectory, fmt: str, strict: bool = True) -> dict:
    """Render ``traj`` in ``fmt`` (a key of WRITERS)."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown trajectory format {fmt!r}; expected one of {', '.join(WRITERS)}")
    return WRITERS[fmt](traj, strict=strict)
