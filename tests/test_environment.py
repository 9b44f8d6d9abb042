"""pyproject.toml, requirements.lock and environment.yml name the same packages and versions."""
import re
import tomllib

from ruamel.yaml import YAML

from conftest import ROOT


def _norm(name):
    return re.sub(r"[-_.]+", "-", re.sub(r"\[.*\]", "", name)).lower().strip()


def _lock():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)", line)
        if m:
            pins[_norm(m.group(1))] = m.group(2)
    return pins


def _direct():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for ds in project["optional-dependencies"].values() for d in ds]
    return {_norm(re.split(r"[<>=!~ ;]", d)[0]): d for d in deps}


def _conda():
    env = YAML(typ="safe").load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"][0] == "conda-forge"
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for p in dep["pip"]:
                name, ver = p.split("==")
                pins[_norm(name)] = ver
        else:
            name, _, ver = dep.partition("=")
            pins[_norm(name)] = ver
    return pins


def test_every_direct_dependency_is_pinned_in_the_lock():
    lock = _lock()
    missing = sorted(set(_direct()) - set(lock))
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"


def test_environment_yml_matches_pyproject_and_lock():
    lock, conda = _lock(), _conda()
    assert conda.pop("python").startswith("3.11")
    assert conda.pop("pip") == ""
    assert set(conda) == set(_direct()), "environment.yml and pyproject.toml list different packages"
    for name, ver in conda.items():
        assert lock[name] == ver, f"{name}: environment.yml {ver} vs requirements.lock {lock[name]}"


def test_ci_calls_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make figures" in readme and "make test" in readme
