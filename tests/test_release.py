"""Release files agree: version in pyproject.toml, analysis.__version__, CITATION.cff, .zenodo.json and the
newest CHANGELOG entry; CITATION.cff is valid CFF 1.2.0; .zenodo.json says what CITATION.cff says.

CITATION.cff is validated against the CFF 1.2.0 JSON schema (tests/data/cff-schema-1.2.0.json, the schema
file shipped in the cffconvert 2.0.0 wheel; cffconvert itself pins jsonschema<4, which conflicts with
Jupyter's) with jsonschema's Draft 7 validator, as cffconvert does."""
import datetime
import json
import re
import tomllib

import jsonschema
import pytest
from ruamel.yaml import YAML

import analysis as A
from analysis.infra.provenance import DISTRIBUTION, packages_line
from conftest import ROOT

SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
#: Top-level keys of Zenodo's deposit metadata that a .zenodo.json may hold (those used here and kin).
ZENODO_KEYS = {"upload_type", "publication_date", "title", "creators", "description", "access_right", "license",
               "keywords", "version", "notes", "related_identifiers", "contributors", "references",
               "communities", "grants", "language", "subjects", "doi", "prereserve_doi"}


def _jsonable(obj):
    """YAML dates as the ISO strings the CFF schema expects (cffconvert reads them the same way)."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (datetime.date, datetime.datetime)):
        return obj.isoformat()
    return obj


@pytest.fixture(scope="module")
def cff():
    return _jsonable(YAML(typ="safe").load((ROOT / "CITATION.cff").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def zenodo():
    return json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))


def changelog_releases():
    """[(version, date or None, body)] of CHANGELOG.md, in file order."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    out = []
    for part in parts:
        head, _, body = part.partition("\n")
        if head.strip() == "[Unreleased]":
            out.append(("Unreleased", None, body))
            continue
        m = re.fullmatch(r"\[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", head.strip())
        assert m, f"CHANGELOG heading {head!r}: use '## [X.Y.Z] - YYYY-MM-DD' (or '## [Unreleased]')"
        out.append((m.group(1), m.group(2), body))
    return out


def test_one_version_everywhere(cff, zenodo):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    releases = [r for r in changelog_releases() if r[0] != "Unreleased"]
    assert A.__version__ == pyproject == str(cff["version"]) == zenodo["version"] == releases[0][0], (
        f"versions differ: analysis.__version__ {A.__version__}, pyproject {pyproject}, CITATION.cff "
        f"{cff['version']}, .zenodo.json {zenodo['version']}, CHANGELOG {releases[0][0]}")


def test_release_date_everywhere(cff, zenodo):
    newest = next(r for r in changelog_releases() if r[0] != "Unreleased")
    assert cff["date-released"] == zenodo["publication_date"] == newest[1]


def test_changelog_is_newest_first_with_keep_a_changelog_sections():
    releases = changelog_releases()
    assert [r[0] for r in releases].count("Unreleased") <= 1
    assert "Unreleased" not in [r[0] for r in releases[1:]], "[Unreleased] goes first"
    versioned = [r for r in releases if r[0] != "Unreleased"]
    keys = [tuple(map(int, v.split("."))) for v, _, _ in versioned]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys), "newest version first, once each"
    dates = [d for _, d, _ in versioned]
    assert dates == sorted(dates, reverse=True)
    for version, _, body in versioned:
        sections = re.findall(r"^### (.+)$", body, flags=re.M)
        assert sections and set(sections) <= SECTIONS, f"{version}: sections {sections}, allowed {SECTIONS}"
        assert re.search(r"^- \S", body, flags=re.M), f"{version}: no entries"


def test_citation_cff_is_valid_cff_1_2_0(cff):
    schema = json.loads((ROOT / "tests" / "data" / "cff-schema-1.2.0.json").read_text(encoding="utf-8"))
    assert schema["$id"].endswith("/1.2.0/schema.json")
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(cff), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)
    # the validator does reject what CFF forbids
    broken = {k: v for k, v in cff.items() if k != "authors"} | {"version": 0.2, "date-released": "04.12.2026"}
    messages = " ".join(e.message for e in validator.iter_errors(broken))
    assert "'authors' is a required property" in messages and "04.12.2026" in messages


def _creator(author: dict) -> str:
    return author["name"] if "name" in author else f"{author['family-names']}, {author['given-names']}"


def test_zenodo_json_agrees_with_citation_cff(cff, zenodo):
    assert set(zenodo) <= ZENODO_KEYS, f"keys Zenodo does not know: {set(zenodo) - ZENODO_KEYS}"
    assert zenodo["upload_type"] == "software" and cff["type"] == "software"
    assert zenodo["title"] == cff["title"]
    assert zenodo["description"] == cff["abstract"]
    assert [c["name"] for c in zenodo["creators"]] == [_creator(a) for a in cff["authors"]]
    assert zenodo["license"].lower() == cff["license"].lower()
    assert zenodo["keywords"] == cff["keywords"]


def test_manifest_packages_record_this_packages_version():
    line = packages_line()
    assert line.split()[0] == f"{DISTRIBUTION}=={A.__version__}"
    assert DISTRIBUTION == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
