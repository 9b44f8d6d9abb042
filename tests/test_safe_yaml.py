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


@pytest.mark.parametrize("text, line", [
    ("units:\n  - id: a\n    date: 2022-02-30\n", 3),
    ("dates: [2022-11-12, 2021-13-01]\n", 1),
    ("- 2022-11-12\n- 2022-04-31  # a comment\n", 2),
])
def test_an_impossible_unquoted_date_names_file_line_and_fix(text, line):
    """The safe loader reads an unquoted YYYY-MM-DD as a date and raised a bare
    "day is out of range for month"; now the file, the line and the fix."""
    with pytest.raises(ValueError, match=rf"manifest corpus\.yml, line {line} \(.*\): .*real calendar date.*quote it"):
        parse_yaml_safely(text, "corpus.yml", "manifest")


def test_quoted_impossible_date_stays_text_and_real_dates_load():
    import datetime

    assert parse_yaml_safely('d: "2022-02-30"\n', "x.yml") == {"d": "2022-02-30"}
    assert parse_yaml_safely("d: 2022-02-28\n", "x.yml") == {"d": datetime.date(2022, 2, 28)}


def test_load_corpus_reports_an_impossible_date_in_the_manifest(tmp_path):
    import re
    import shutil

    import analysis as A
    from analysis.ingest.corpus import default_data_dir

    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    manifest = data / "corpus.yml"
    text = manifest.read_text(encoding="utf-8")
    m = re.search(r'date: *"\d{4}-\d{2}-\d{2}"', text)
    lineno = text[:m.start()].count("\n") + 1
    manifest.write_text(text[:m.start()] + "date: 2022-02-30" + text[m.end():], encoding="utf-8")
    with pytest.raises(Exception, match=rf"corpus\.yml, line {lineno} \(2022-02-30\).*quote it"):
        A.load_corpus(data)
