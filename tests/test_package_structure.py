"""The package's import structure: no import circles, a lazy ``typedsignals`` namespace,
and a mypy plugin that does not load the runtime dispatcher."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import typedsignals

PACKAGE = Path(typedsignals.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The typedsignals modules ``path`` imports anywhere (TYPE_CHECKING blocks included)."""
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            submodules = {f"{base}.{alias.name}" for alias in node.names}
            if node.module is not None or not submodules <= modules:  # not `from . import x`
                found.add(base)
            found |= submodules
    return {name for name in found if name in modules and name != module}


def test_the_package_has_no_import_circles() -> None:
    graph = {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}
    # The package's __init__ only names what it loads lazily; a submodule importing
    # the package itself would go through it, so it is part of the graph too.
    assert len(graph) > 10
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = "open"
        path.append(name)
        for child in sorted(graph.get(name, ())):
            if state.get(child) == "open":
                cycle = [*path[path.index(child) :], child]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if child not in state:
                visit(child)
        path.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)


def _loaded_after(statement: str) -> dict[str, bool]:
    code = (
        "import json, sys\n"
        f"{statement}\n"
        "print(json.dumps({m: m in sys.modules for m in "
        "('typedsignals.dispatcher', 'typedsignals.registry', 'asgiref', 'asyncio')}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "statement",
    [
        "import typedsignals.mypy",
        "import typedsignals.mypy.main",
        "from typedsignals.mypy import plugin; plugin('2.0')",
        "import typedsignals.rules",
        "import typedsignals",
    ],
)
def test_importing_the_plugin_does_not_load_the_dispatcher(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert not any(loaded.values()), loaded


def test_the_public_names_load_on_first_use() -> None:
    loaded = _loaded_after("from typedsignals import Signal; assert Signal.__name__ == 'Signal'")
    assert loaded["typedsignals.dispatcher"] and loaded["typedsignals.registry"]
    assert not loaded["asgiref"] and not loaded["asyncio"], loaded  # tests/test_import_weight.py


def test_the_lazy_namespace_behaves_as_a_module() -> None:
    from typedsignals import NO_RECEIVERS, ReceiverError, Signal, receiver
    from typedsignals.dispatcher import Signal as Defined

    assert Signal is Defined and callable(receiver) and issubclass(ReceiverError, ValueError)
    assert NO_RECEIVERS is typedsignals.NO_RECEIVERS
    assert set(typedsignals.__all__) <= set(dir(typedsignals))
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        typedsignals.Nothing
    with pytest.raises(ImportError):
        exec("from typedsignals import Nothing", {})
    for name in typedsignals.__all__:
        assert getattr(typedsignals, name).__doc__, f"{name} has no docstring"
