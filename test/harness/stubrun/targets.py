"""Finding the methods to check, from ORIGINAL's source (ast only, nothing is executed).

A target is a class that defines _load_checkpoint(self), or a public load_checkpoint(self) with
no other parameter, together with its family: the self.NAME(...) methods it calls, followed up to
three calls deep through the class and its bases in the same file. A target is checked only if
its family touches self.actor_rollout_wg or loads into another self.<group>; offload_static lists
the groups whose load_checkpoint(None) the family itself calls, which changes what check (b) expects.
"""

from __future__ import annotations

import ast


def _class_index(tree: ast.AST) -> dict:
    """qualname -> ClassDef, for classes at module level or nested in classes."""
    index: dict = {}

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                qual = prefix + node.name
                index[qual] = node
                visit(node.body, qual + ".")
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body, prefix)
                for extra in getattr(node, "orelse", []), getattr(node, "finalbody", []):
                    visit(extra, prefix)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body, prefix)

    visit(tree.body, "")
    return index


def _own_methods(cls_node: ast.ClassDef) -> dict:
    return {
        n.name: n for n in cls_node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def _base_names(cls_node: ast.ClassDef) -> list:
    names = []
    for b in cls_node.bases:
        if isinstance(b, ast.Name):
            names.append(b.id)
        elif isinstance(b, ast.Attribute):
            names.append(b.attr)
    return names


def _resolve_method(index: dict, qual: str, name: str, seen=None):
    seen = seen or set()
    if qual in seen or qual not in index:
        return None
    seen.add(qual)
    node = index[qual]
    methods = _own_methods(node)
    if name in methods:
        return methods[name]
    by_short = {q.rsplit(".", 1)[-1]: q for q in index}
    for base in _base_names(node):
        if base in by_short:
            found = _resolve_method(index, by_short[base], name, seen)
            if found is not None:
                return found
    return None


def _self_calls(fn) -> list:
    out = []
    for n in ast.walk(fn):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == "self"
        ):
            out.append(n.func.attr)
    return out


def _is_actor_wg(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "actor_rollout_wg"


def _worker_load(n) -> bool:
    """self.<group>[...].load_checkpoint(...): a load into one of the trainer's worker groups."""
    if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "load_checkpoint"):
        return False
    receiver = n.func.value
    while isinstance(receiver, ast.Subscript):
        receiver = receiver.value
    return isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name) and receiver.value.id == "self"


def _offloaded_group(n) -> str | None:
    """The group of a self.<group>.load_checkpoint(None) call, else None."""
    if not _worker_load(n) or not isinstance(n.func.value, ast.Attribute):
        return None
    return n.func.value.attr if _none_path(n) else None


def _none_path(n) -> bool:
    if n.args:
        return isinstance(n.args[0], ast.Constant) and n.args[0].value is None
    for kw in n.keywords:
        if kw.arg == "local_path":
            return isinstance(kw.value, ast.Constant) and kw.value.value is None
    return False


def find_targets(path: str) -> list:
    with open(path, "rb") as fh:
        tree = ast.parse(fh.read(), path)
    index = _class_index(tree)
    targets = []
    for qual, node in index.items():
        own = _own_methods(node)
        entry_points = []
        if "_load_checkpoint" in own:
            entry_points.append("_load_checkpoint")
        pub = own.get("load_checkpoint")
        if pub is not None:
            a = pub.args
            if (
                len(a.args) == 1
                and not a.posonlyargs
                and not a.kwonlyargs
                and a.vararg is None
                and a.kwarg is None
            ):
                entry_points.append("load_checkpoint")
        for entry in entry_points:
            family = [entry]
            nodes = {entry: own[entry]}
            frontier = [(entry, 0)]
            while frontier:
                name, depth = frontier.pop(0)
                if depth >= 3:
                    continue
                for callee in _self_calls(nodes[name]):
                    if callee in nodes:
                        continue
                    fn = _resolve_method(index, qual, callee)
                    if fn is not None:
                        nodes[callee] = fn
                        family.append(callee)
                        frontier.append((callee, depth + 1))
            touches = any(_is_actor_wg(n) or _worker_load(n) for fn in nodes.values() for n in ast.walk(fn))
            offload = sorted({g for fn in nodes.values() for n in ast.walk(fn) if (g := _offloaded_group(n))})
            targets.append(
                {"class": qual, "method": entry, "family": family, "touches_actor": touches, "offload_static": offload}
            )
    return targets
