"""`import analysis` is lazy: no heavy package is imported until a name is used."""
import subprocess
import sys
from pathlib import Path

import analysis


def _modules_after(code):
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_analysis_imports_no_heavy_package():
    mods = _modules_after("import analysis")
    heavy = {"sklearn", "scipy", "matplotlib", "wordcloud", "ipywidgets", "pandas", "jieba"}
    assert not heavy & mods, heavy & mods


def test_every_exported_name_resolves_and_is_listed():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name
    assert set(analysis.__all__) <= set(dir(analysis))
    assert analysis.load_corpus.__module__ == "analysis.ingest.corpus"


def test_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        analysis.nope  # noqa: B018


def test_using_one_name_loads_only_what_it_needs():
    mods = _modules_after("import analysis; analysis.load_keywords")
    assert "analysis.measures.keywords" in mods and "sklearn" not in mods and "matplotlib" not in mods


def test_function_named_like_its_module_survives_the_submodule_import():
    """`import analysis.measures.keyness` binds the submodule on the package; the public name
    must stay the function (it did with the eager imports of old)."""
    code = ("import analysis.measures.keyness, analysis.measures.frequency, analysis as A; "
            "assert callable(A.keyness) and A.keyness.__module__ == 'analysis.measures.keyness', A.keyness; "
            "from analysis.measures.keyness import g2; assert callable(g2)")
    subprocess.run([sys.executable, "-c", code], check=True)


#: Command modules at the package top named like a public function: `python -m analysis.cite` runs the
#: module as __main__ without binding it on the package, so `A.cite` stays the function
#: (tests/test_cite.py checks it); nothing imports these modules.
COMMAND_AND_FUNCTION = {"cite"}


def test_the_package_has_no_module_class_trick():
    """Module and function names no longer collide at the package top (the modules live in layer
    subpackages), so the package is a plain module: no __class__ swap, no __setattr__ hook."""
    import types

    assert type(analysis) is types.ModuleType
    for name in analysis.__all__:
        if name in COMMAND_AND_FUNCTION:
            continue
        assert not (analysis.__path__ and (Path(analysis.__path__[0]) / f"{name}.py").exists()), name


def test_all_names_resolve_in_a_fresh_interpreter():
    subprocess.run([sys.executable, "-c", "import analysis as A; [getattr(A, n) for n in A.__all__]"], check=True)
