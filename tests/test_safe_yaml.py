"""Bounded parsing of YAML and JSON: nesting depth limited with an error naming the place."""
import json

import pytest

from analysis.infra.safe_yaml import MAX_DEPTH, json_depth, parse_json_safely, parse_yaml_safely


@pytest.mark.parametrize("text, depth", [
    ("1", 0), ('"[[[{{{"', 0), ("[]", 1), ('{"a": [1, {"b": 2}]}', 3), ('[["]"], "\\"["]', 2),
    ('{"a": "\\\\"}', 1), ("[[[[]]]]", 4), ('[{}, [[]], {"x": {"y": []}}]', 4),
])
def test_json_depth_by_hand(text, depth):
    assert json_depth(text) == depth
    json.loads(text)  # the examples are valid JSON


def test_json_nesting_over_the_limit_is_refused_with_its_position():
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(ValueError, match=rf"t\.jsonl, line 3: JSON nested deeper than {MAX_DEPTH} levels "
                                         rf"\(at character {MAX_DEPTH + 1}\)"):
        parse_json_safely(deep, "t.jsonl, line 3")
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json_safely(ok, "t.jsonl, line 3") == json.loads(ok)


def test_a_recursion_bomb_is_refused_not_a_recursion_error():
    bomb = '{"text": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}"
    with pytest.raises(ValueError, match="nested deeper"):
        parse_json_safely(bomb, "x.jsonl, line 1")


def test_invalid_json_names_the_place():
    with pytest.raises(ValueError, match=r"x\.jsonl, line 2: not valid JSON \(Expecting"):
        parse_json_safely("{oops", "x.jsonl, line 2")


@pytest.mark.parametrize("style", ["flow", "block"])
def test_yaml_nesting_over_the_limit_is_refused(style):
    n = MAX_DEPTH + 1
    if style == "flow":
        text = "a: " + "[" * n + "]" * n + "\n"
    else:
        text = "".join("  " * i + f"k{i}:\n" for i in range(n)) + "  " * n + "v\n"
    with pytest.raises(ValueError, match=rf"f\.yml, line \d+, column \d+: nested deeper than {MAX_DEPTH} levels"):
        parse_yaml_safely(text, "f.yml")


def test_yaml_at_the_limit_loads():
    n = MAX_DEPTH - 1  # the top-level mapping is one level
    text = "a: " + "[" * n + "1" + "]" * n + "\n"
    d = parse_yaml_safely(text, "f.yml")["a"]
    for _ in range(n - 1):
        d = d[0]
    assert d == [1]


def test_a_deep_yaml_bomb_under_the_size_cap_is_refused():
    """~1.9 MB of flow nesting: refused before the composer recurses."""
    text = "a: " + "[" * 950_000 + "]" * 950_000 + "\n"
    with pytest.raises(ValueError, match="nested deeper"):
        parse_yaml_safely(text, "bomb.yml")


def test_brackets_inside_text_do_not_trip_the_depth_limit():
    """Opening brackets in quoted and plain scalars are text: only the parser's nesting counts."""
    n = MAX_DEPTH + 5
    text = f"a: '{'[' * n}'\nb: x{'{' * n}\nc: \"{'[' * n}\"\n"
    assert parse_yaml_safely(text, "f.yml") == {"a": "[" * n, "b": "x" + "{" * n, "c": "[" * n}


def test_a_deep_block_nesting_bomb_is_refused():
    n = 1200  # ~1.4 MB of indentation
    text = "".join(" " * i + f"k{i}:\n" for i in range(n)) + " " * n + "v\n"
    with pytest.raises(ValueError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_yaml_safely(text, "bomb.yml")
