"""SWE-agent's filemap: the outline it shows instead of a Python file over 16,000 chars.

Every function body spanning five or more lines (tree-sitter's `function_definition`
`body`, methods and nested functions included) is replaced by one
`... eliding lines N-M ...` line; the other lines are printed as `{n:6d} {line}`.
Parsing uses tree-sitter with the Python grammar, as SWE-agent does; without them the
caller falls back to the plain (clipped) view, as SWE-agent does when its install failed.
"""

from __future__ import annotations

from functools import lru_cache

QUERY = "(function_definition body: (_) @body)"
MIN_ELIDED_SPAN = 5


@lru_cache(maxsize=1)
def _parser_and_query():
    import tree_sitter
    import tree_sitter_python

    language = tree_sitter.Language(tree_sitter_python.language())
    parser = tree_sitter.Parser(language)
    query = tree_sitter.Query(language, QUERY) if hasattr(tree_sitter, "QueryCursor") else language.query(QUERY)
    return parser, query


def _body_nodes(query, root) -> list:
    import tree_sitter

    if hasattr(tree_sitter, "QueryCursor"):  # py-tree-sitter >= 0.25
        captures = tree_sitter.QueryCursor(query).captures(root)
    else:
        captures = query.captures(root)
    if isinstance(captures, dict):  # 0.23+: name -> nodes
        return list(captures.get("body", []))
    return [node for node, _name in captures]  # older: (node, name) pairs


def show_filemap(file_contents: str, encoding: str = "utf-8") -> str:
    """The outline text (not yet tab-expanded or clipped). Raises if tree-sitter fails."""
    parser, query = _parser_and_query()
    tree = parser.parse(file_contents.encode(encoding, errors="replace"))
    ranges = [
        (node.start_point[0], node.end_point[0])
        for node in _body_nodes(query, tree.root_node)
        if node.end_point[0] - node.start_point[0] >= MIN_ELIDED_SPAN
    ]
    elided = {line for start, end in ranges for line in range(start, end + 1)}
    messages = [(start, f"... eliding lines {start + 1}-{end + 1} ...") for start, end in ranges]
    kept = [(i, line) for i, line in enumerate(file_contents.splitlines()) if i not in elided]
    return "\n".join(f"{i + 1:6d} {line}" for i, line in sorted(messages + kept))
