"""The project's modules import one another one way: no cycles, apps depend in the allowed
directions only, and no import is tucked inside a function to hide a cycle.

Read from the source with ``ast`` (nothing is imported), so a cycle is caught even where
Python would happen to survive it because of the order modules load in.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "lscp_site",
    "home",
    "dashboard",
    "newsletter",
    "training",
    "events",
    "subscriptions",
    "admin_2fa",
)

# Which apps each app may import (besides itself). lscp_site is the shell: every app may use
# it, and it uses no content app.
ALLOWED_DEPENDENCIES = {
    "lscp_site": set(),
    "events": {"lscp_site"},
    "subscriptions": {"lscp_site"},
    # subscriptions: a subscriber's export and erasure cover their bookings (its signals).
    "training": {"lscp_site", "events", "subscriptions"},
    "newsletter": {"lscp_site", "events", "training", "subscriptions"},
    "home": {"lscp_site", "events", "training", "subscriptions", "newsletter"},
    # The admin dashboard reads every app's figures (through their queries.py).
    "dashboard": {"lscp_site", "events", "training", "subscriptions", "newsletter"},
    # Two-factor sign-in for the admin: part of the shell's admin, uses no content app.
    "admin_2fa": {"lscp_site"},
}

# The only imports allowed inside a function, as (file, function, imported module):
FUNCTION_LOCAL_ALLOWED = {
    # AppConfig.ready(): these modules import models, which Django forbids before the app
    # registry is ready.
    ("lscp_site/apps.py", "ready", "lscp_site"),
    ("training/apps.py", "ready", "training"),
    ("newsletter/apps.py", "ready", "newsletter"),
    # An optional service loaded only when configured: settings import this module, and a
    # site without SENTRY_DSN does not load the SDK.
    ("lscp_site/error_reporting.py", "sentry_options", "sentry_sdk.integrations.django"),
    ("lscp_site/error_reporting.py", "init_sentry", "sentry_sdk"),
    # A library that is slow to import (it loads Pango and fonts), used only to make a
    # certificate: every other process starts without it.
    ("training/certificates.py", "certificate_pdf", "weasyprint"),
}


def module_files(root=ROOT, packages=PACKAGES):
    """{dotted module name: path} for the project's own modules, migrations left out."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _resolve(name, modules):
    """The project module an imported name lives in (``a.b.C`` -> ``a.b``), or None."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imported_names(node, module, is_package):
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    # ``from pkg import sub`` imports the submodule; ``from mod import name`` the module.
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def module_level_imports(tree):
    """Import statements run when the module is imported: at the top, in if/try blocks and
    class bodies, not inside functions."""
    found = []
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        else:
            pending.extend(ast.iter_child_nodes(node))
    return found


def function_local_imports(tree):
    """(function name, imported module) for every import inside a function or method."""
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                found += [(function.name, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                found.append((function.name, "." * node.level + (node.module or "")))
    return found


def import_graph(modules):
    """{module: set of project modules it imports at import time}."""
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets = set()
        for node in module_level_imports(tree):
            for name in _imported_names(node, module, path.name == "__init__.py"):
                target = _resolve(name, modules)
                if target:
                    targets.add(target)
        targets.discard(module)
        graph[module] = targets
    return graph


def find_cycle(graph):
    """One import cycle as a list of modules (first == last), or None."""
    state = {}
    stack = []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def forbidden_app_dependencies(graph):
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if (app := module.split(".")[0]) != (other := target.split(".")[0])
        and other not in ALLOWED_DEPENDENCIES[app]
    )


@pytest.fixture(scope="module")
def graph():
    return import_graph(module_files())


def test_the_project_modules_import_each_other_without_a_cycle(graph):
    assert find_cycle(graph) is None


def test_apps_depend_on_each_other_only_in_the_allowed_directions(graph):
    assert forbidden_app_dependencies(graph) == []


def test_no_import_is_hidden_inside_a_function_except_app_loading():
    hidden = []
    for path in module_files().values():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(), filename=str(path))
        for function, imported in function_local_imports(tree):
            if (relative, function, imported) in FUNCTION_LOCAL_ALLOWED:
                continue
            hidden.append(f"{relative}: {function}() imports {imported}")
    assert hidden == []


def test_the_graph_sees_every_project_module_and_its_imports(graph):
    """The checks above would pass on an empty graph: make sure it is the real one."""
    assert "training.models.pages" in graph and "newsletter.sending" in graph
    assert "training.views" in graph["training.models.pages"]
    assert "subscriptions.models" in graph["newsletter.sending"]


def test_a_cycle_hidden_inside_a_package_is_found(tmp_path):
    """A model module that imports a view which imports the model package back (the shape
    CoursePage.book once hid inside the method) is a cycle."""
    package = tmp_path / "shop"
    (package / "models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "models" / "__init__.py").write_text("from shop.models.pages import Page\n")
    (package / "models" / "pages.py").write_text("from shop import views\n")
    (package / "views.py").write_text("from shop.models import Page\n")
    graph = import_graph(module_files(tmp_path, ("shop",)))
    assert find_cycle(graph) == ["shop.models", "shop.models.pages", "shop.views", "shop.models"]


def test_an_import_against_the_allowed_direction_is_reported():
    graph = {"events.queries": {"training.models"}, "training.models": {"events.dates"}}
    assert forbidden_app_dependencies(graph) == ["events.queries -> training.models"]


def test_an_import_inside_a_function_is_found():
    tree = ast.parse("def book(request):\n    from training import views\n    return views\n")
    assert function_local_imports(tree) == [("book", "training")]
