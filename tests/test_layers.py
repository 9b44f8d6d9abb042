"""The package is built in layers: a module imports only from its own layer or lower ones.

Checked statically on every import statement of every module (also those inside
functions), so a lazy import cannot hide an upward dependency or a circle.
"""
import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "analysis"
#: lowest first
LAYERS = ["infra", "ingest", "sources", "text", "measures", "figures", "workflow"]
#: top-level modules: the API table (no imports), the facade and the command shims
TOP = {"__init__.py", "_api.py", "build.py", "cite.py", "draft.py", "paragraphs.py"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the ``analysis`` modules a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path).split(".")
    package = me if path.name == "__init__.py" else me[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1] + ([node.module] if node.module else [])
                name = ".".join(base)
            else:
                name = node.module or ""
            if name == "analysis" or name.startswith("analysis."):
                out.add(name)
                out.update(f"{name}.{a.name}" for a in node.names
                           if (PACKAGE.parent / Path(*f"{name}.{a.name}".split("."))).with_suffix(".py").exists()
                           or (PACKAGE.parent / Path(*f"{name}.{a.name}".split("."))).is_dir())
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("analysis"))
    return out


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_sits_in_a_layer():
    stray = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
             if p.parent == PACKAGE and p.name not in TOP
             or p.parent != PACKAGE and p.relative_to(PACKAGE).parts[0] not in LAYERS]
    assert not stray, f"modules outside the layers {LAYERS}: {stray}"


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE),
                         ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_imports_from_a_higher_layer(path):
    mine = _layer(_module_name(path))
    upward = sorted(m for m in _imports(path)
                    if m not in ("analysis", "analysis._api") and (_layer(m) is None or _layer(m) > mine))
    assert not upward, (f"{path.relative_to(PACKAGE)} ({LAYERS[mine]}) imports from a higher layer "
                        f"or from the package top: {upward}")


def test_the_api_table_imports_nothing():
    tree = ast.parse((PACKAGE / "_api.py").read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def test_no_import_circle_between_modules():
    graph = {_module_name(p): {m for m in _imports(p) if m != "analysis"} for p in PACKAGE.rglob("*.py")
             if p.parent != PACKAGE}
    # a package __init__ re-exporting its own modules is not a circle
    def deps(m):
        return {d for d in graph.get(m, ()) if d in graph and not m.startswith(d + ".") and d != m}

    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m, stack):
        state[m] = 1
        for d in sorted(deps(m)):
            if state.get(d) == 1:
                cycle.extend(stack[stack.index(d):] + [m, d] if d in stack else [m, d])
                return True
            if state.get(d) is None and visit(d, stack + [m]):
                return True
        state[m] = 2
        return False

    for m in sorted(graph):
        if state.get(m) is None and visit(m, []):
            break
    assert not cycle, f"import circle: {' -> '.join(cycle)}"


def test_the_detector_sees_an_upward_import(tmp_path):
    """The check itself can fail: a measures module importing a figure builder is caught."""
    fake = PACKAGE / "measures" / "_layer_probe.py"
    fake.write_text("def f():\n    from analysis.figures.labels import term_labels\n", encoding="utf-8")
    try:
        with pytest.raises(AssertionError, match="higher layer"):
            test_no_module_imports_from_a_higher_layer(fake)
    finally:
        fake.unlink()


def test_readme_architecture_lists_every_module_in_its_layer():
    """README's architecture table names each layer and each module of it (so it stays true)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| layer | module | holds | public names |"):]
    table = table[:table.index("\n\n")]
    rows = [r.split("|") for r in table.splitlines()[2:]]
    layer, listed = None, {}
    for r in rows:
        layer = r[1].strip() or layer
        listed.setdefault(layer, []).append(r[2])
    assert list(listed) == LAYERS, list(listed)
    missing = []
    for p in PACKAGE.rglob("*.py"):
        rel = p.relative_to(PACKAGE)
        if p.parent == PACKAGE or p.name == "__init__.py":
            continue
        cells = " ".join(listed.get(rel.parts[0], []))
        if f"`{rel.as_posix()}`" not in cells and f"`{rel.name}`" not in cells:
            missing.append(rel.as_posix())
    assert not missing, f"add these modules to README's architecture table, in their layer's rows: {missing}"
