"""Text shared by the windowed tools: constants, messages, SWE-agent's search script, small helpers.

The constants and message strings of SWE-agent's windowed commands (0.x and 1.x), the
bash bodies of `search_dir`/`search_file`/`find_file` run as-is, and the pure helpers
used by `swe_srl.sandbox.windowed` (0.x, dispatch) and `swe_srl.sandbox.windowed_1x`
(1.x tools): shell word splitting, awk-style line counting, `_split_string.py`'s lint
diff (`split_lint`), and the 1.x "not found" text. Ported from SWE-agent (MIT, (c) 2024
John Yang, Carlos E. Jimenez et al.); see `swe_srl.sandbox.windowed` for the versions.
"""

from __future__ import annotations

import re
import shlex

WINDOW, OVERLAP = 100, 2
DIALECTS = ("0.x", "1.x")
WINDOWED = frozenset({"open", "goto", "scroll_up", "scroll_down", "create", "edit", "insert",
                      "search_file", "search_dir", "find_file", "submit"})
NOT_EMULATED = frozenset({"filemap", "search_file_in_window", "append", "forfeit", "exit_forfeit",
                          "_split_string", "str_replace_editor"})
_LINTER = "flake8 --isolated --select=F821,F822,F831,E111,E112,E113,E999,E902"
_COMMAND_POSITION = {";", "&&", "||", "|", "&", "(", ")", "{", "!", "do", "then", "else", "elif", "|&", ";;"}
_NEEDS_SHELL = re.compile(r"[$`*?\[\]{}~\\!]")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][\w.-]*)\1")
_UPDATED = ("File updated. Please review the changes and make sure they are correct (correct indentation,"
            " no duplicate lines, etc). Edit the file again if necessary.")
_REPLACED = ("Please review the changes and make sure they are correct\n"
             "(correct indentation, no duplicate lines, etc). Edit the file again if necessary.")
_DASHES0, _DASHES1 = "-" * 49, "-" * 48
_NOT_APPLIED = ("Your changes have NOT been applied. Please fix your edit command and try again.\n")
_NO_RERUN = "DO NOT re-run the same failed edit command. Running it again will lead to the same error.\n"
_LINT_HEAD = ("Your proposed edit has introduced new syntax error(s). Please read this error message"
              " carefully and then retry editing the file.\n")

# search.sh of SWE-agent v0.7.0 (the 1.x search bundle has the same bodies), run as-is.
_SEARCH_SH = r'''
search_dir() {
    if [ $# -eq 1 ]; then local search_term="$1"; local dir="./"
    elif [ $# -eq 2 ]; then local search_term="$1"
        if [ -d "$2" ]; then local dir="$2"; else echo "Directory $2 not found"; return; fi
    else echo "Usage: search_dir <search_term> [<dir>]"; return; fi
    dir=$(realpath "$dir")
    local matches=$(find "$dir" -type f ! -path '*/.*' -exec grep -nIH -- "$search_term" {} + | cut -d: -f1 | sort | uniq -c)
    if [ -z "$matches" ]; then echo "No matches found for \"$search_term\" in $dir"; return; fi
    local num_matches=$(echo "$matches" | awk '{sum+=$1} END {print sum}')
    local num_files=$(echo "$matches" | wc -l | awk '{$1=$1; print $0}')
    if [ $num_files -gt 100 ]; then
        echo "More than $num_files files matched for \"$search_term\" in $dir. Please narrow your search."; return; fi
    echo "Found $num_matches matches for \"$search_term\" in $dir:"
    echo "$matches" | awk '{$2=$2; gsub(/^\.+\/+/, "./", $2); print $2 " ("$1" matches)"}'
    echo "End of matches for \"$search_term\" in $dir"
}
search_file() {
    if [ -z "$1" ]; then echo "Usage: search_file <search_term> [<file>]"; return; fi
    if [ -n "$2" ]; then
        if [ -f "$2" ]; then local file="$2"
        else echo "Usage: search_file <search_term> [<file>]"
            echo "Error: File name $2 not found. Please provide a valid file name."; return; fi
    else
        if [ -z "$CURRENT_FILE" ]; then echo "No file open. Use the open command first."; return; fi
        local file="$CURRENT_FILE"
    fi
    local search_term="$1"
    file=$(realpath "$file")
    local matches=$(grep -nH -- "$search_term" "$file")
    if [ -z "$matches" ]; then echo "No matches found for \"$search_term\" in $file"; return; fi
    local num_matches=$(echo "$matches" | wc -l | awk '{$1=$1; print $0}')
    local num_lines=$(echo "$matches" | cut -d: -f1 | sort | uniq | wc -l | awk '{$1=$1; print $0}')
    if [ $num_lines -gt 100 ]; then
        echo "More than $num_lines lines matched for \"$search_term\" in $file. Please narrow your search."; return; fi
    echo "Found $num_matches matches for \"$search_term\" in $file:"
    echo "$matches" | cut -d: -f1-2 | sort -u -t: -k2,2n | while IFS=: read -r filename line_number; do
        echo "Line $line_number:$(sed -n "${line_number}p" "$file")"
    done
    echo "End of matches for \"$search_term\" in $file"
}
find_file() {
    if [ $# -eq 1 ]; then local file_name="$1"; local dir="./"
    elif [ $# -eq 2 ]; then local file_name="$1"
        if [ -d "$2" ]; then local dir="$2"; else echo "Directory $2 not found"; return; fi
    else echo "Usage: find_file <file_name> [<dir>]"; return; fi
    dir=$(realpath "$dir")
    local matches=$(find "$dir" -type f -name "$file_name")
    if [ -z "$matches" ]; then echo "No matches found for \"$file_name\" in $dir"; return; fi
    local num_matches=$(echo "$matches" | wc -l | awk '{$1=$1; print $0}')
    echo "Found $num_matches matches for \"$file_name\" in $dir:"
    echo "$matches" | awk '{print $0}'
}
'''


def _words(text: str) -> list[str]:
    lex = shlex.shlex(text, posix=True, punctuation_chars=";&|()<>")
    lex.whitespace_split = True
    return list(lex)


def _complete(text: str) -> bool:
    try:
        _words(text)
    except ValueError:
        return False
    return not text.rstrip("\n").endswith("\\")


def _lines(data: bytes) -> list[bytes]:
    """Lines as awk/mapfile count them: a last line without newline still counts."""
    if not data:
        return []
    lines = data.split(b"\n")
    return lines[:-1] if data.endswith(b"\n") else lines


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def split_lint(output: str, before: str, window: tuple[int, int], n_lines: int) -> str:
    """`_split_string.py`: the flake8 errors of `output` that the edit introduced."""
    def parse(text: str) -> list[tuple[str, int, int, str]]:
        errs = []
        for line in text.split("\n"):
            if line.strip():
                prefix, _, problem = line.strip().partition(": ")
                name, row, col = prefix.split(":")
                errs.append((name, int(row), int(col), problem))
        return errs

    errors = parse(output)
    if before:
        added = n_lines - (window[1] - window[0] + 1)
        previous = [(f, r if r < window[0] else r + added, c, p) for f, r, c, p in parse(before)
                    if not window[0] <= r <= window[1]]
        errors = [e for e in errors if e not in previous]
    return "\n".join(f"- {e[3]}" for e in errors)


def _not_found(search: str) -> str:
    return (f"Text {search!r} not found in displayed lines.\nNote: By default, we only replace the first occurrence"
            " in the lines that are currently visible in the editor.\nIf you want to replace all occurrences in"
            " and outside of the visible lines, use the `--replace-all` flag.\n\n")


def _shown(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def _first(line: str) -> str:
    words = line.split(None, 1)
    return words[0] if words else ""


def _split_name(text: str) -> tuple[str, str]:
    stripped = text.lstrip()
    name = _first(stripped)
    return name, stripped[len(name):]


def clamp_line(n: int, total: int) -> tuple[str, int]:
    """SWE-agent's warnings for an `open FILE LINE` outside the file, and the line it uses."""
    if n > total:
        return (f"Warning: <line_number> ({n}) is greater than the number of lines in the file ({total})\n"
                f"Warning: Setting <line_number> to {total}\n"), total
    if n < 1:
        return f"Warning: <line_number> ({n}) is less than 1\nWarning: Setting <line_number> to 1\n", 1
    return "", n
