"""The package's rooms and the one direction of its imports (docs/layout.md), read from the source.

Every module under scorer/ is parsed (nothing is imported) and every `import` / `from ... import` is
read, at any depth: inside functions too, where an import can hide a cycle. The rules:

- every import of a scorer module names a module that exists;
- no import cycle between modules;
- the layers, bottom first: labels/errors/atomic < text < attribution < model < report < pipeline/pool
  < batch < cli; a module imports its own layer and those below, never one above;
- `scorer.training` may import any layer (not the command line); nothing outside it imports it but the
  command line's train/evaluate/corpus commands, inside the command;
- the package face, scorer/__init__.py, imports only the bottom layer when it is imported; its public
  names are imported on first use (`__getattr__`), so `scorer --help` stays fast; only the command line
  and training import the face;
- no module imports a name starting with `_` from another module;
- nothing outside training imports scikit-learn or scipy (the shipped model scores with numpy alone).

Run as a script on another copy of the package to see what it finds there:
`python tests/test_imports.py PATH/TO/scorer`.
"""
from __future__ import annotations

import ast
import configparser
import sys
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "scorer"

LAYERS = (
    ("scorer.labels", "scorer.errors", "scorer.atomic"),
    ("scorer.text",),
    ("scorer.attribution",),
    ("scorer.model",),
    ("scorer.report",),
    ("scorer.pool", "scorer.pipeline"),
    ("scorer.batch",),
    ("scorer.cli", "scorer.__main__"),
)
TRAINING = "scorer.training"
FACE = "scorer"
CLI = "scorer.cli"
HEAVY = ("sklearn", "scipy")


class Import(NamedTuple):
    """One import statement's target: the importing module, the module it names, the names taken from it,
    whether it sits inside a function or class body, and its line."""

    source: str
    target: str
    names: tuple[str, ...]
    nested: bool
    line: int


def module_names(package: Path) -> dict[str, Path]:
    """Dotted name of each module under `package` (a package's __init__.py under the package's name); the shipped
    model's package data, scorer/models/ in an installed copy, holds no code and is left out."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] == "models":
            continue
        parts = (package.name, *path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def read_imports(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """The imports of one module. `from X import y` names module X.y when that is a module, else X."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    out = []

    def visit(node, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    out.append(Import(name, alias.name, (), nested, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = name.split(".")
                    base = base[:len(base) - child.level + (1 if is_package else 0)]
                    base = ".".join(base + ([child.module] if child.module else []))
                else:
                    base = child.module or ""
                plain = []
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    if sub in modules:
                        out.append(Import(name, sub, (), nested, child.lineno))
                    else:
                        plain.append(alias.name)
                if plain or not child.names:
                    out.append(Import(name, base, tuple(plain), nested, child.lineno))
            visit(child, inner)

    visit(tree, False)
    return out


def layer(module: str) -> int | None:
    for level, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    return None


def in_training(module: str) -> bool:
    return module == TRAINING or module.startswith(TRAINING + ".")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def problems(package: Path = PACKAGE) -> list[str]:
    """Every breach of the rules above in the package at `package`, one line each (none: an empty list)."""
    modules = module_names(package)
    root = package.name
    out = []
    graph: dict[str, set[str]] = {m: set() for m in modules}
    imports = [imp for name, path in modules.items() for imp in read_imports(name, path, modules)]
    for imp in imports:
        name = imp.source
        where = f"{modules[name].relative_to(package.parent)}:{imp.line}"
        top = imp.target.split(".")[0]
        if top in HEAVY and not in_training(name):
            out.append(f"{where}: {name} imports {imp.target} (only training may use scikit-learn or scipy)")
        if top != root:
            continue
        if imp.target not in modules:
            out.append(f"{where}: {name} imports {imp.target}, which is no module of the package")
            continue
        graph[name].add(imp.target)
        private = [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
        if private and imp.target != name:
            out.append(f"{where}: {name} imports the private name(s) {', '.join(private)} of {imp.target}")
        out += [f"{where}: {message}" for message in order_problems(imp)]
    for name in modules:
        if name not in (FACE, root) and layer(name) is None and not in_training(name):
            out.append(f"{modules[name].relative_to(package.parent)}: {name} is in no layer of the layout")
    for component in cycles(graph):
        hidden = [f"{i.source} -> {i.target} (line {i.line})" for i in imports
                  if i.nested and i.source in component and i.target in component]
        out.append(f"import cycle: {' <-> '.join(component)}"
                   + (f"; imports inside functions among them: {', '.join(hidden)}" if hidden else ""))
    return out


def order_problems(imp: Import) -> list[str]:
    """Whether one import of a package module keeps to the layers."""
    source, target = imp.source, imp.target
    if source == FACE:
        if not imp.nested and layer(target) != 0:
            return [f"the package face imports {target} when it is imported (import it on first use)"]
        return []
    if target == FACE:
        if source in (CLI, f"{FACE}.__main__") or in_training(source):
            return []
        return [f"{source} imports the package face (take the name from the module that defines it)"]
    if in_training(target):
        if in_training(source) or (source == CLI and imp.nested):
            return []
        return [f"{source} imports {target}: only training (and the command line's training commands, "
                "inside the command) may"]
    if in_training(source):
        return [f"{source} imports the command line"] if target == CLI else []
    if layer(source) is not None and layer(target) is not None and layer(target) > layer(source):
        kind = "inside a function " if imp.nested else ""
        return [f"{source} imports {target} {kind}(layer {layer(target)} above its own, {layer(source)})"]
    return []


def test_no_cycles_and_imports_flow_down():
    assert problems() == []


def test_setup_installs_every_package():
    """A plain `pip install .` must carry every subpackage (setup.cfg lists them by name)."""
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    listed = {p.strip() for p in config["options"]["packages"].replace("\n", ",").split(",") if p.strip()}
    packages = {name for name, path in module_names(PACKAGE).items() if path.name == "__init__.py"}
    assert packages <= listed


def test_the_checker_sees_what_it_must(tmp_path):
    """The rules catch a cycle hidden inside functions, an upward import, a private name and a stale import."""
    package = tmp_path / "scorer"
    for sub in ("", "text", "batch", "training"):
        (package / sub).mkdir(exist_ok=True)
        (package / sub / "__init__.py").write_text('"""x"""\n')
    (package / "pipeline.py").write_text("def f():\n    from .batch import run\n")
    (package / "batch" / "run.py").write_text("from ..pipeline import f\nfrom ..text.files import _read\n")
    (package / "text" / "files.py").write_text("from ..pipeline import f\nfrom ..textio import x\n"
                                               "def g():\n    import sklearn\n")
    (package / "training" / "train.py").write_text("from ..pipeline import f\n")
    (package / "labels.py").write_text("from .training import train\n")
    found = "\n".join(problems(package))
    assert "import cycle: scorer.batch.run <-> scorer.pipeline <-> scorer.text.files" in found
    assert "scorer.pipeline imports scorer.batch.run inside a function (layer 6 above its own, 5)" in found
    assert "scorer.text.files imports scorer.pipeline (layer 5 above its own, 1)" in found
    assert "imports the private name(s) _read of scorer.text.files" in found
    assert "scorer.text.files imports scorer.textio, which is no module of the package" in found
    assert "scorer.text.files imports sklearn (only training" in found
    assert "scorer.labels imports scorer.training.train: only training" in found
    assert "scorer.training.train imports" not in found  # training stands above every layer


if __name__ == "__main__":
    found = problems(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else PACKAGE)
    print("\n".join(found) or "no problems")
    sys.exit(1 if found else 0)
