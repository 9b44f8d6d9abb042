"""The shared mechanism of external sources: both sources use it, a third is a registry and a parser."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from analysis.sources import broadcast as bc
from analysis.sources import policy as pol
from analysis.sources.pinned import PinnedSource, SourceError, SourceUnavailable, sha256_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("module, error, unavailable", [
    (bc, bc.BroadcastError, bc.BroadcastUnavailable), (pol, pol.PolicyError, pol.PolicyUnavailable)])
def test_both_sources_are_pinned_sources_with_their_own_errors(module, error, unavailable):
    src = module.SOURCE
    assert isinstance(src, PinnedSource) and src.commit == module.COMMIT and src.mirror_env == module.MIRROR_ENV
    assert src.error is error and src.unavailable is unavailable
    assert issubclass(error, SourceError) and issubclass(unavailable, SourceUnavailable)
    assert issubclass(unavailable, error)  # `except BroadcastError` still catches "unavailable"
    assert src.registry_path().parent == ROOT / "data" / "sources"
    assert src.registry_path().name == f"{src.key}-{src.commit}.sha256"
    assert src.registry_hash() == hashlib.sha256(src.registry_path().read_bytes()).hexdigest()
    cite = src.citation()
    assert cite["commit"] == src.commit and src.commit in cite["source"] and src.repository in cite["source"]
    assert src.base_url == f"https://raw.githubusercontent.com/{src.repository}/{src.commit}/"


def test_the_broadcast_module_functions_delegate_to_its_source():
    assert bc.read_registry() == bc.SOURCE.read_registry()
    assert bc.registry_hash() == bc.SOURCE.registry_hash() and bc.registry_path() == bc.SOURCE.registry_path()
    assert bc.BASE_URL == bc.SOURCE.base_url


def test_skip_errors_of_the_build_cover_every_unavailable_source():
    """`make figures` reports a notebook as skipped when any source is unavailable."""
    from analysis.workflow import build

    skips = getattr(build, "is_unavailable_error", lambda name: name in build.SKIP_ERRORS)
    for cls in (bc.BroadcastUnavailable, pol.PolicyUnavailable, SourceUnavailable):
        assert skips(cls.__name__), cls.__name__


# ----------------------------------------------------------------------------- a third source

def _third(tmp_path) -> tuple[PinnedSource, dict, Path]:
    class ThirdError(SourceError):
        pass

    class ThirdUnavailable(ThirdError, SourceUnavailable):
        pass

    src = PinnedSource(key="third", label="a third source", repository="someone/data", commit="c" * 40,
                       mirror_env="THIRD_MIRROR", path_pattern=r"tables/\w+\.csv", path_hint="tables/NAME.csv",
                       command="python -m analysis.sources.third", error=ThirdError, unavailable=ThirdUnavailable)
    repo = tmp_path / "mirror" / src.commit
    (repo / "tables").mkdir(parents=True)
    reg = {}
    for name, text in {"tables/a.csv": "x,y\n1,2\n", "tables/b.csv": "x,y\n3,4\n"}.items():
        (repo / name).write_text(text, encoding="utf-8")
        reg[name] = sha256_file(repo / name)
    registry = tmp_path / f"third-{src.commit}.sha256"
    registry.write_text("# a comment line\n" + "".join(f"{h}  {n}\n" for n, h in reg.items()), encoding="utf-8")
    return src, reg, registry


def test_a_third_source_is_a_registry_and_a_parser(tmp_path, monkeypatch):
    src, reg, registry = _third(tmp_path)
    assert src.read_registry(registry) == reg
    mirror = tmp_path / "mirror"
    # the mirror as the repository folder, as its parent (holding <commit>/), or from the environment
    for given in (mirror, mirror / src.commit):
        paths = src.fetch(list(reg), registry=reg, mirror=given)
        assert [p.read_text() for p in paths] == ["x,y\n1,2\n", "x,y\n3,4\n"]
    monkeypatch.setenv("THIRD_MIRROR", str(mirror))
    assert src.fetch(["tables/b.csv"], registry=reg)[0].name == "b.csv"
    # a mirror pointed at the top folder itself
    assert src.fetch(["tables/a.csv"], registry=reg, mirror=mirror / src.commit / "tables")[0].name == "a.csv"


def test_third_source_errors_name_the_file(tmp_path):
    src, reg, registry = _third(tmp_path)
    mirror = tmp_path / "mirror"
    (mirror / src.commit / "tables" / "a.csv").write_text("x,y\n1,3\n", encoding="utf-8")
    (mirror / src.commit / "tables" / "b.csv").unlink()
    with pytest.raises(src.error) as err:
        src.fetch(list(reg), registry=reg, mirror=mirror)
    msg = str(err.value)
    assert "missing from the mirror: tables/b.csv" in msg
    assert "SHA-256 differs from the registry (file changed): tables/a.csv" in msg
    with pytest.raises(src.error, match="no tables/ folder"):
        src.fetch(list(reg), registry=reg, mirror=tmp_path / "elsewhere")
    bad = tmp_path / "bad.sha256"
    bad.write_text(f"{'0' * 64}  ../outside.csv\n", encoding="utf-8")
    with pytest.raises(src.error, match=r"bad\.sha256:1: expected '<sha256>  tables/NAME\.csv'"):
        src.read_registry(bad)
    with pytest.raises(src.error, match="not found"):
        src.read_registry(tmp_path / "absent.sha256")


def test_instructions_name_the_command_and_the_variable():
    for src in (bc.SOURCE, pol.SOURCE):
        text = src.how_to_get("/some/cache")
        assert src.command in text and src.mirror_env in text and src.commit[:12] in text and "/some/cache" in text


@pytest.mark.parametrize("module, argv", [(bc, ["--start", "2022-11-12", "--end", "2022-11-12"]), (pol, [])])
def test_command_line_of_both_sources(module, argv, tmp_path, capsys):
    """`python -m analysis.sources.<module> --mirror DIR`: an error names the problem, exit 1."""
    assert module.main(argv + ["--mirror", str(tmp_path)]) == 1
    assert "error: mirror" in capsys.readouterr().out
