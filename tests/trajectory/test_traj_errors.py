"""Malformed input gives TrajectoryError/RecordError items naming the record and the reason."""

from __future__ import annotations

import json

import pytest

from swe_srl.trajectory.model import RecordError, TrajectoryError
from swe_srl.trajectory.readers import detect_format, read_record
from swe_srl.trajectory.sources import ReadStats, iter_records, read_trajectories


def _err(record, fmt="auto", rid="rec-1") -> TrajectoryError:
    with pytest.raises(TrajectoryError) as info:
        read_record(record, rid, fmt)
    assert info.value.record_id == rid
    return info.value


def test_bad_json_line_is_an_item_not_an_exception(tmp_path):
    good = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "<function=submit>\n</function>"}]}
    f = tmp_path / "runs.jsonl"
    f.write_text(json.dumps(good) + "\n{not json\n\n" + json.dumps(good) + "\n")
    items = list(iter_records(f))
    assert [i[0] if isinstance(i, tuple) else i.record_id for i in items] == ["runs.jsonl:1", "runs.jsonl:2", "runs.jsonl:4"]
    assert isinstance(items[1], RecordError) and "bad JSON line" in items[1].reason
    stats = ReadStats()
    out = list(read_trajectories(f, stats=stats))
    assert [type(o).__name__ for o in out] == ["Trajectory", "RecordError", "Trajectory"]
    assert (stats.records, stats.trajectories, stats.errors) == (3, 2, 1)


def test_bad_json_file_in_folder(tmp_path):
    (tmp_path / "a.json").write_text("[1, 2")
    (tmp_path / "b.traj").write_text("{}")
    out = list(read_trajectories(tmp_path))
    assert [(type(o).__name__, o.record_id) for o in out] == [("RecordError", "a.json"), ("TrajectoryError", "b.traj")]
    assert "cannot detect" in out[1].reason


def test_unknown_tool_names_the_message():
    rec = {
        "messages": [
            {"role": "user", "content": "fix it"},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "function": {"name": "browser", "arguments": "{}"}}]},
        ],
        "test_result": {},
    }
    err = _err(rec)
    assert "message 1" in err.reason and "unknown tool 'browser'" in err.reason


def test_unknown_xml_tool():
    rec = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "<function=browse>\n<parameter=url>u</parameter>\n</function>"}]}
    assert "unknown tool 'browse'" in _err(rec, "swe_smith").reason


def test_two_calls_in_one_text_turn():
    call = "<function=bash>\n<parameter=command>ls</parameter>\n</function>"
    rec = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": call + call}]}
    assert "exactly one tool call" in _err(rec, "swe_smith").reason


def test_missing_required_parameter():
    rec = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "<function=bash>\n</function>"}]}
    assert "missing required parameter" in _err(rec, "swe_smith").reason


@pytest.mark.parametrize(
    "record,fmt,reason",
    [
        ({"messages": []}, "swe_smith", "messages is empty"),
        ({"messages": "[oops"}, "swe_smith", "not valid JSON"),
        ({"instance_id": "x"}, "swe_smith", "missing or not a list"),
        ({"messages": [{"content": "no role"}]}, "openhands_text", "message 0 has no role"),
        ({"messages": [{"role": "user", "content": "only the issue"}]}, "swe_smith", "no actions"),
        ({"trajectory": []}, "nebius", "missing or empty"),
        ({"trajectory": [{"role": "system", "text": None}, {"role": "user", "text": "issue"}]}, "nebius", "no actions"),
        ({"trajectory": [{"role": "robot", "text": "?"}]}, "nebius", "unknown role"),
        ({"info": {}}, "swe_agent", "neither 'history' nor 'trajectory'"),
        ({"rounds": "nope", "source_format": "x"}, "canonical", "not a canonical trajectory"),
        ([], "mini_swe_agent", "messages is empty"),
        ("just text", "openhands", "not a JSON object"),
    ],
)
def test_missing_fields_and_empty_messages(record, fmt, reason):
    assert reason in _err(record, fmt).reason


def test_bad_tool_arguments_json():
    rec = {"messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "execute_bash", "arguments": "{bad"}}]}]}
    assert "arguments are not JSON" in _err(rec).reason


def test_unexpected_shape_is_wrapped_not_raised():
    # a history entry that is a list where a dict is expected deep inside
    rec = {"history": [{"role": "assistant", "content": "x", "tool_calls": [["not", "a", "dict"]]}], "info": {}}
    err = _err(rec)
    assert "malformed swe_agent record" in err.reason


def test_undetectable_record():
    with pytest.raises(TrajectoryError, match="cannot detect"):
        detect_format({"hello": "world"}, "r")


def test_unknown_format_name_is_a_caller_error():
    with pytest.raises(ValueError, match="unknown trajectory format"):
        read_record({}, "r", "jsonish")


def test_errors_pickle():
    import pickle

    err = pickle.loads(pickle.dumps(RecordError("a:3", "bad JSON line")))
    assert (type(err), err.record_id, err.reason) == (RecordError, "a:3", "bad JSON line")


def test_missing_local_source(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(iter_records(tmp_path / "nope.jsonl"))
