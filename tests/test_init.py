"""`import analysis` is lazy: no heavy package is imported until a name is used."""
import subprocess
import sys

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
    assert analysis.load_corpus.__module__ == "analysis.corpus"


def test_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        analysis.nope  # noqa: B018


def test_using_one_name_loads_only_what_it_needs():
    mods = _modules_after("import analysis; analysis.load_keywords")
    assert "analysis.keywords" in mods and "sklearn" not in mods and "matplotlib" not in mods


def test_function_named_like_its_module_survives_the_submodule_import():
    """`import analysis.keyness` binds the submodule on the package; the public name
    must stay the function (it did with the eager imports of old)."""
    code = ("import analysis.keyness, analysis.frequency, analysis as A; "
            "assert callable(A.keyness) and A.keyness.__module__ == 'analysis.keyness', A.keyness; "
            "from analysis.keyness import g2; assert callable(g2)")
    subprocess.run([sys.executable, "-c", code], check=True)
