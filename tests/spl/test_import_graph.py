"""Dependencies run one way: no module of the project's packages imports one that
imports it back, directly or through others, and none imports inside a function
to dodge such a cycle (STYLE.md, "Layout").

Read from the source with `ast`, so nothing is imported to check it. The imports
a module runs when it is loaded are those outside its functions: at its top
level, in a class body, or under an `if` or `try`.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("spl", "referrals", "directory", "caseload")


def modules():
    """{module name: path} for every .py file of PACKAGES."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(node, name, path):
    """The modules an import statement in module `name` names: for `from a import
    b`, both a and a.b (which is a module, or a name in a)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def imports(tree):
    """[(import statement, whether it is inside a function)] of a module."""
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, in_function))
            is_function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, in_function or is_function)

    visit(tree, False)
    return found


def graph(*, with_functions):
    """{module: the project's modules it imports}: those it imports when loaded,
    and (`with_functions`) those its functions import too."""
    known = modules()
    edges = {}
    for name, path in known.items():
        edges[name] = {
            target
            for node, in_function in imports(ast.parse(path.read_text()))
            if with_functions or not in_function
            for target in imported(node, name, path)
            if target in known and target != name
        }
    return edges


def cycles(edges):
    """The groups of modules that import each other, directly or through others
    (strongly connected components, by Tarjan's algorithm)."""
    index, low, stack, found = {}, {}, [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(group) > 1:
                found.append(
                    "; ".join(
                        f"{member} imports {', '.join(sorted(edges[member] & set(group)))}"
                        for member in sorted(group)
                    )
                )

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back():
    assert cycles(graph(with_functions=False)) == []


def test_no_import_inside_a_function_dodges_a_cycle():
    assert cycles(graph(with_functions=True)) == []


def test_an_import_inside_a_function_says_why():
    """Django's app loading, say, or a library only some settings need: a comment
    on its line or the line above. Migrations are left out: their functions
    import what they need only when the migration runs."""
    unexplained = []
    for name, path in modules().items():
        if ".migrations." in f"{name}.":
            continue
        source = path.read_text()
        lines = source.splitlines()
        for node, in_function in imports(ast.parse(source)):
            if not in_function:
                continue
            where = str(path.relative_to(ROOT))
            line, above = lines[node.lineno - 1], lines[node.lineno - 2].strip()
            if "#" in line or above.startswith("#"):
                continue
            unexplained.append(f"{where}:{node.lineno}: {line.strip()}")
    assert unexplained == []


def test_referrals_never_imports_the_caseload():
    """The caseload is built on referrals, not the other way round (decision 12):
    referrals tells it what happened through referrals.signals."""
    edges = graph(with_functions=True)
    reaching = sorted(
        f"{name} imports {target}"
        for name, targets in edges.items()
        if name.startswith("referrals")
        for target in targets
        if target.startswith("caseload")
    )
    assert reaching == []
