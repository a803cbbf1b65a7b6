"""Packaging consistency: what HACS installs must agree with itself.

A custom integration is described in places that nothing ties together at
runtime: manifest.json, hacs.json, services.yaml, strings.json (and its copy
translations/en.json), icons.json, the brand images and the translation keys
in the code. A disagreement shows up only as a raw key in someone's UI, a
service without a description, or a HACS validation failure, so these tests
compare them all and fail naming exactly what is missing or unused.

The checks are plain functions over a directory. The tests at the end run
them on damaged copies, so each check is shown to catch what it claims to.
The code is read with ``ast`` rather than imported: keys reach Home
Assistant through helpers (``_invalid("unknown_share")``), base classes
(``super().__init__(coordinator, "video_requests")``), constants and small
functions returning a flow error, and following those statically works on
any tree, the copies included.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any, Final

import pytest
import voluptuous as vol
from awesomeversion import (
    AwesomeVersion,
    AwesomeVersionException,
    AwesomeVersionStrategy,
)
from homeassistant.const import Platform
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import SelectSelector
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from PIL import Image
from yarl import URL

ROOT: Final = Path(__file__).resolve().parent.parent
PACKAGE: Final = ROOT / "custom_components" / "porchlight"
DOMAIN: Final = PACKAGE.name

# The oldest Home Assistant release Porchlight supports. hacs.json states it,
# and the pinned test requirements must be of that release line, so the test
# suite proves the promise rather than running on something newer.
MIN_HOMEASSISTANT: Final = "2025.4.0"

PLATFORMS: Final = frozenset(platform.value for platform in Platform)

# hacs.json keys HACS accepts (its HACS_MANIFEST_JSON_SCHEMA), with their types.
HACS_KEYS: Final[Mapping[str, type | tuple[type, ...]]] = {
    "name": str,
    "content_in_root": bool,
    "country": (str, list),
    "filename": str,
    "hacs": str,
    "hide_default_branch": bool,
    "homeassistant": str,
    "persistent_directory": str,
    "render_readme": bool,
    "zip_release": bool,
}
# What HACS and Home Assistant's loader demand of a custom integration.
MANIFEST_REQUIRED: Final = (
    "domain",
    "name",
    "version",
    "documentation",
    "issue_tracker",
    "codeowners",
)
INTEGRATION_TYPES: Final = frozenset(
    {"device", "entity", "hardware", "helper", "hub", "service", "system", "virtual"}
)
IOT_CLASSES: Final = frozenset(
    {
        "assumed_state",
        "calculated",
        "cloud_polling",
        "cloud_push",
        "local_polling",
        "local_push",
    }
)
DISCOVERY_KEYS: Final = (
    "bluetooth",
    "dhcp",
    "homekit",
    "mqtt",
    "ssdp",
    "usb",
    "zeroconf",
)
BRAND_SIZES: Final = {"icon.png": 256, "icon@2x.png": 512}
BRAND_FILES: Final = frozenset(
    f"{dark}{kind}{hidpi}.png"
    for dark in ("", "dark_")
    for kind in ("icon", "logo")
    for hidpi in ("", "@2x")
)

FLOW_BASES: Final = {
    "ConfigFlow": "config",
    "OptionsFlow": "options",
    "OptionsFlowWithConfigEntry": "options",
    "OptionsFlowWithReload": "options",
    "ConfigSubentryFlow": "config_subentries",
}
EXCEPTION_SUFFIXES: Final = ("Error", "Exception", "Failed", "NotReady", "Invalid")
# Sections of strings.json whose every key the code must use.
NO_DEAD_SECTIONS: Final = ("exceptions", "issues", "selector", "device")

FuncNode = ast.FunctionDef | ast.AsyncFunctionDef


# ---------------------------------------------------------------- file helpers


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file (anything else is a packaging error too)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise TypeError(f"{path.name} does not hold a JSON object")
    return data


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping, read the way Home Assistant reads services.yaml."""
    return load_yaml_dict(path)


def lookup(tree: Any, path: Iterable[str]) -> Any:
    """The value at ``path`` in nested mappings, or None."""
    for part in path:
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree


def dotted(path: Iterable[str]) -> str:
    return ".".join(path)


def is_https_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        url = URL(value)
    except ValueError:
        return False
    return url.scheme == "https" and bool(url.host)


# ---------------------------------------------------------------- the code


@dataclass(eq=False)
class Module:
    """One parsed module of the integration and what its names refer to."""

    name: str
    path: Path
    tree: ast.Module
    # local name -> (origin module, name there or None for a module import);
    # origins inside the package start with "." (".const").
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    assigns: dict[str, list[ast.expr]] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    functions: dict[str, FuncNode] = field(default_factory=dict)


@dataclass(frozen=True)
class External:
    """A name defined outside the integration, e.g. Home Assistant's."""

    module: str
    name: str


@dataclass(eq=False)
class Ctx:
    """Where a node sits: module, class, function and top-level definition."""

    module: Module
    cls: ast.ClassDef | None = None
    func: FuncNode | None = None
    top: ast.stmt | None = None

    def at(self, node: ast.AST) -> str:
        return f"{self.module.path.name}:{getattr(node, 'lineno', '?')}"


@dataclass(frozen=True)
class Usage:
    """A translation the code needs, by its path in strings.json."""

    path: tuple[str, ...]
    where: str
    # (module, class) that supplied an entity's key: its event types belong to it.
    owner: tuple[str, str] | None = None


@dataclass(eq=False)
class Sink:
    """An expression whose value ends up as a translation key."""

    kind: str  # exceptions | issues | selector | device | entity
    expr: ast.expr
    ctx: Ctx
    platform: str | None = None  # an entity description's platform
    fallback_platform: str | None = None  # the platform of a base class


@dataclass(eq=False)
class FlowUse:
    """A step id, error, abort reason, menu or progress action of a flow."""

    what: str  # step | error | abort | progress | menu_options
    value: ast.expr | str
    ctx: Ctx
    node: ast.AST
    step: ast.expr | None = None  # for menu options: the menu's step id
    config_only: bool = False  # implied by ConfigFlow-only helpers


def callee_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def platform_of_module(module: str) -> str | None:
    """``homeassistant.components.sensor[.x]`` -> ``sensor``, for entity platforms."""
    parts = module.split(".")
    if parts[:2] == ["homeassistant", "components"] and len(parts) > 2:
        return parts[2] if parts[2] in PLATFORMS else None
    return None


class CodeIndex:
    """Every translation the integration's code needs, found statically.

    ``usages`` lists what strings.json must contain; ``problems`` lists code
    whose translation key cannot be told without running it, so a key is
    never silently left unchecked.
    """

    def __init__(self, package: Path) -> None:
        self.package = package
        self.modules = {
            path.stem: self._parse(path) for path in sorted(package.glob("*.py"))
        }
        self.usages: list[Usage] = []
        self.problems: list[str] = []
        self.event_types: dict[tuple[str, str], tuple[set[str], str]] = {}
        self.subentry_types: dict[str, str] = {}  # flow class name -> type
        self._calls: list[tuple[ast.Call, Ctx]] = []
        self._sinks: list[Sink] = []
        self._flow_uses: list[FlowUse] = []
        for module in self.modules.values():
            for stmt in module.tree.body:
                top = stmt if isinstance(stmt, ast.ClassDef | FuncNode) else None
                self._visit(stmt, Ctx(module, top=top))
        self._find_subentry_types()
        self._resolve_sinks()
        self._resolve_flow_uses()

    # -- parsing

    @staticmethod
    def _parse(path: Path) -> Module:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = Module(path.stem, path, tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    origin = alias.name if alias.asname else local
                    module.imports[local] = (origin, None)
            elif isinstance(node, ast.ImportFrom):
                origin = "." * node.level + (node.module or "")
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = (origin, alias.name)
        for stmt in tree.body:
            if isinstance(stmt, ast.ClassDef):
                module.classes[stmt.name] = stmt
            elif isinstance(stmt, FuncNode):
                module.functions[stmt.name] = stmt
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        module.assigns.setdefault(target.id, []).append(stmt.value)
            elif (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.value is not None
            ):
                module.assigns.setdefault(stmt.target.id, []).append(stmt.value)
        return module

    # -- names

    def lookup(
        self, module: Module, name: str, depth: int = 0
    ) -> tuple[Module, str] | External | None:
        """Where ``name`` as used in ``module`` is defined."""
        if depth > 10:
            return None
        if name in module.classes or name in module.functions or name in module.assigns:
            return module, name
        imported = module.imports.get(name)
        if imported is None:
            return None
        origin, original = imported
        if origin.startswith("."):
            target = self.modules.get(origin.lstrip(".") or "__init__")
            if target is None or original is None:
                return None
            return self.lookup(target, original, depth + 1)
        return External(origin, original or name)

    def ref(
        self, expr: ast.expr, module: Module
    ) -> tuple[Module, str] | External | None:
        if isinstance(expr, ast.Subscript):  # Generic[Param]
            expr = expr.value
        if isinstance(expr, ast.Name):
            return self.lookup(module, expr.id)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            imported = module.imports.get(expr.value.id)
            if imported is not None and imported[1] is None:
                return External(imported[0], expr.attr)
            if imported is not None:
                return External(f"{imported[0]}.{imported[1]}", expr.attr)
        return None

    def ancestors(
        self, module: Module, cls: ast.ClassDef, depth: int = 0
    ) -> Iterator[tuple[Module, ast.ClassDef] | External]:
        """The class's bases, depth first: the integration's and external ones."""
        if depth > 10:
            return
        for base in cls.bases:
            found = self.ref(base, module)
            if isinstance(found, External):
                yield found
            elif found is not None and found[1] in found[0].classes:
                base_module, name = found
                base_cls = base_module.classes[name]
                yield base_module, base_cls
                yield from self.ancestors(base_module, base_cls, depth + 1)

    def class_platform(self, module: Module, cls: ast.ClassDef | None) -> str | None:
        """The entity platform a class belongs to, from its Home Assistant base."""
        if cls is None:
            return None
        for base in self.ancestors(module, cls):
            if isinstance(base, External) and (
                platform := platform_of_module(base.module)
            ):
                return platform
        return None

    def flow_kind(self, module: Module, cls: ast.ClassDef) -> str | None:
        for base in self.ancestors(module, cls):
            if isinstance(base, External) and base.name in FLOW_BASES:
                return FLOW_BASES[base.name]
        return None

    def description_platform(self, func: ast.expr, module: Module) -> str | bool | None:
        """False unless ``func`` makes an entity description; else its platform."""
        found = self.ref(func, module)
        chain: list[External] = []
        if isinstance(found, External):
            chain.append(found)
        elif found is not None and found[1] in found[0].classes:
            chain.extend(
                base
                for base in self.ancestors(found[0], found[0].classes[found[1]])
                if isinstance(base, External)
            )
        for base in chain:
            if base.name.endswith("EntityDescription"):
                return platform_of_module(base.module)
        return False

    # -- walking

    def _visit(self, node: ast.AST, ctx: Ctx) -> None:
        if isinstance(node, ast.ClassDef):
            inner = Ctx(ctx.module, node, None, ctx.top)
            for child in node.body:
                self._visit(child, inner)
            return
        if isinstance(node, FuncNode):
            inner = Ctx(ctx.module, ctx.cls, node, ctx.top)
            for child in node.body:
                self._visit(child, inner)
            return
        if isinstance(node, ast.Call):
            self._inspect_call(node, ctx)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            self._inspect_assign(node, ctx)
        for inner_node in ast.iter_child_nodes(node):
            self._visit(inner_node, ctx)

    def _inspect_call(self, call: ast.Call, ctx: Ctx) -> None:
        self._calls.append((call, ctx))
        name = callee_name(call.func)
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
        description = self.description_platform(call.func, ctx.module)
        if "translation_key" in keywords:
            kind = self._classify(name, description, keywords)
            if kind is None:
                self.problems.append(
                    f"{ctx.at(call)}: translation_key is given to {name or 'a call'}(),"
                    " which this check does not know; teach tests/test_packaging.py"
                    " where its translations live"
                )
            else:
                self._sinks.append(
                    Sink(
                        kind,
                        keywords["translation_key"],
                        ctx,
                        platform=description if isinstance(description, str) else None,
                    )
                )
        elif description is not False and "key" in keywords:
            # Porchlight's base entity uses a description's key as its
            # translation key when the description names none.
            self._sinks.append(
                Sink(
                    "entity",
                    keywords["key"],
                    ctx,
                    platform=description if isinstance(description, str) else None,
                )
            )
        self._inspect_flow_call(call, name, keywords, ctx)

    @staticmethod
    def _classify(
        name: str,
        description: str | bool | None,
        keywords: Mapping[str, ast.expr],
    ) -> str | None:
        """The strings.json section a call's ``translation_key`` belongs in."""
        if name in ("async_create_issue", "create_issue"):
            return "issues"
        if name.endswith("SelectorConfig"):
            return "selector"
        if name == "DeviceInfo":
            return "device"
        if description is not False:
            return "entity"
        if "translation_domain" in keywords or name.endswith(EXCEPTION_SUFFIXES):
            return "exceptions"
        return None

    def _inspect_flow_call(
        self, call: ast.Call, name: str, keywords: Mapping[str, ast.expr], ctx: Ctx
    ) -> None:
        uses = self._flow_uses
        if "step_id" in keywords:
            step = keywords["step_id"]
            uses.append(FlowUse("step", step, ctx, call))
            options = keywords.get("menu_options")
            if isinstance(options, ast.List | ast.Tuple):
                uses.extend(
                    FlowUse("menu_options", option, ctx, call, step=step)
                    for option in options.elts
                )
        if "progress_action" in keywords:
            uses.append(FlowUse("progress", keywords["progress_action"], ctx, call))
        if isinstance(errors := keywords.get("errors"), ast.Dict):
            uses.extend(FlowUse("error", value, ctx, call) for value in errors.values)
        first = call.args[0] if call.args else None
        reason = keywords.get("reason", first)
        if name in ("async_abort", "AbortFlow") and reason is not None:
            uses.append(FlowUse("abort", reason, ctx, call))
        elif name == "_abort_if_unique_id_configured":
            uses.append(
                FlowUse("abort", "already_configured", ctx, call, config_only=True)
            )
        elif name == "_abort_if_unique_id_mismatch":
            value = keywords.get("reason", "unique_id_mismatch")
            uses.append(FlowUse("abort", value, ctx, call, config_only=True))
        elif name == "async_set_unique_id":
            progress = keywords.get("raise_on_progress")
            if not (isinstance(progress, ast.Constant) and progress.value is False):
                uses.append(
                    FlowUse("abort", "already_in_progress", ctx, call, config_only=True)
                )
        elif name == "async_update_reload_and_abort":
            if "reason" in keywords:
                uses.append(FlowUse("abort", keywords["reason"], ctx, call))
            else:
                method = ctx.func.name if ctx.func is not None else ""
                reasons = [
                    f"{source}_successful"
                    for source in ("reauth", "reconfigure")
                    if source in method
                    or ("reauth" not in method and "reconfigure" not in method)
                ]
                uses.extend(
                    FlowUse("abort", reason_, ctx, call, config_only=True)
                    for reason_ in reasons
                )
        elif name == "async_update_and_abort":
            uses.append(FlowUse("abort", "reconfigure_successful", ctx, call))

    def _inspect_assign(self, node: ast.Assign | ast.AnnAssign, ctx: Ctx) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if value is None:
            return
        for target in targets:
            attr = (
                target.attr
                if isinstance(target, ast.Attribute)
                else target.id
                if isinstance(target, ast.Name)
                and ctx.cls is not None
                and ctx.func is None
                else None
            )
            if attr == "_attr_translation_key":
                self._sinks.append(Sink("entity", value, ctx))
            elif attr == "_attr_event_types" and ctx.cls is not None:
                types = self.sequence(value, ctx)
                if types is not None:
                    owner = (ctx.module.name, ctx.cls.name)
                    known, _ = self.event_types.get(owner, (set(), ""))
                    self.event_types[owner] = (known | types, ctx.at(node))
            if (
                isinstance(target, ast.Subscript)
                and "error" in callee_name(target.value).lower()
            ):
                self._flow_uses.append(FlowUse("error", value, ctx, node))
            if (
                isinstance(target, ast.Name | ast.Attribute)
                and "errors" in callee_name(target).lower()
                and isinstance(value, ast.Dict)
            ):
                self._flow_uses.extend(
                    FlowUse("error", item, ctx, node) for item in value.values
                )

    # -- values

    def _local_values(self, name: str, func: FuncNode) -> list[ast.expr]:
        values: list[ast.expr] = []
        for node in ast.walk(func):
            if isinstance(node, ast.Assign):
                if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                    values.append(node.value)
            elif (
                isinstance(node, ast.AnnAssign | ast.NamedExpr)
                and isinstance(node.target, ast.Name)
                and node.target.id == name
                and node.value is not None
            ):
                values.append(node.value)
        return values

    def _returns(self, func: FuncNode) -> list[ast.expr]:
        found: list[ast.expr] = []

        def walk(node: ast.AST) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, FuncNode | ast.Lambda | ast.ClassDef):
                    continue
                if isinstance(child, ast.Return) and child.value is not None:
                    found.append(child.value)
                walk(child)

        walk(func)
        return found

    def _function(self, call: ast.Call, ctx: Ctx) -> tuple[FuncNode, Ctx] | None:
        """The integration's function or method that ``call`` calls, if known."""
        func = call.func
        if isinstance(func, ast.Name):
            found = self.lookup(ctx.module, func.id)
            if isinstance(found, tuple) and found[1] in found[0].functions:
                return found[0].functions[found[1]], Ctx(found[0])
            return None
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
            and ctx.cls is not None
        ):
            classes: list[tuple[Module, ast.ClassDef]] = [(ctx.module, ctx.cls)]
            classes += [
                base
                for base in self.ancestors(ctx.module, ctx.cls)
                if not isinstance(base, External)
            ]
            for module, cls in classes:
                for stmt in cls.body:
                    if isinstance(stmt, FuncNode) and stmt.name == func.attr:
                        return stmt, Ctx(module, cls, stmt)
        return None

    def strings(
        self, expr: ast.expr, ctx: Ctx, seen: frozenset[int] = frozenset()
    ) -> set[str] | None:
        """Every string ``expr`` can evaluate to, or None when it cannot be told."""
        if id(expr) in seen:
            return set()
        seen = seen | {id(expr)}
        if isinstance(expr, ast.Constant):
            if expr.value is None:
                return set()
            return {expr.value} if isinstance(expr.value, str) else None
        parts: list[ast.expr]
        if isinstance(expr, ast.IfExp):
            parts = [expr.body, expr.orelse]
        elif isinstance(expr, ast.BoolOp):
            parts = list(expr.values)
        elif isinstance(expr, ast.Name):
            if ctx.func is not None and (
                local := self._local_values(expr.id, ctx.func)
            ):
                parts = local
            else:
                found = self.lookup(ctx.module, expr.id)
                if not isinstance(found, tuple) or found[1] not in found[0].assigns:
                    return None
                module, name = found
                values = [
                    self.strings(v, Ctx(module), seen) for v in module.assigns[name]
                ]
                return _union(values)
        elif isinstance(expr, ast.Call) and (target := self._function(expr, ctx)):
            func, func_ctx = target
            parts = self._returns(func)
            ctx = func_ctx
            if not parts:
                return None
        else:
            return None
        return _union([self.strings(part, ctx, seen) for part in parts])

    def sequence(self, expr: ast.expr, ctx: Ctx, depth: int = 0) -> set[str] | None:
        """The strings of a list or tuple expression, or None if unknown."""
        if depth > 10:
            return None
        if isinstance(expr, ast.List | ast.Tuple | ast.Set):
            items: list[set[str] | None] = []
            for elt in expr.elts:
                if isinstance(elt, ast.Starred):
                    items.append(self.sequence(elt.value, ctx, depth + 1))
                else:
                    items.append(self.strings(elt, ctx))
            return _union(items)
        if (
            isinstance(expr, ast.Call)
            and callee_name(expr.func) in ("list", "tuple", "set", "sorted")
            and len(expr.args) == 1
        ):
            return self.sequence(expr.args[0], ctx, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return _union(
                [
                    self.sequence(expr.left, ctx, depth + 1),
                    self.sequence(expr.right, ctx, depth + 1),
                ]
            )
        if isinstance(expr, ast.Name):
            found = self.lookup(ctx.module, expr.id)
            if isinstance(found, tuple) and found[1] in found[0].assigns:
                module, name = found
                return _union(
                    [
                        self.sequence(v, Ctx(module), depth + 1)
                        for v in module.assigns[name]
                    ]
                )
        return None

    # -- keys passed through helpers

    def _param(self, expr: ast.expr, ctx: Ctx) -> str | None:
        """The parameter of the enclosing function that ``expr`` simply is."""
        if not isinstance(expr, ast.Name) or ctx.func is None:
            return None
        args = ctx.func.args
        names = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
        if expr.id not in names or self._local_values(expr.id, ctx.func):
            return None
        return expr.id

    def _bound_arg(
        self, sink: Sink, param: str, call: ast.Call, call_ctx: Ctx
    ) -> tuple[ast.expr, Ctx] | bool | None:
        """The argument ``call`` passes for ``param``, with the context to read it in.

        False when ``call`` does not call the forwarding function at all, True
        when it calls it without that argument (and there is no default), None
        when the argument is hidden in ``*args`` or ``**kwargs``.
        """
        func = sink.ctx.func
        cls = sink.ctx.cls
        assert func is not None
        is_method = cls is not None and func in cls.body
        shift = self._binds(call, call_ctx, func, cls if is_method else None)
        if shift is None:
            return False
        args = func.args
        positional = [a.arg for a in [*args.posonlyargs, *args.args]]
        is_static = any(callee_name(d) == "staticmethod" for d in func.decorator_list)
        if is_method and not is_static:
            positional = positional[1:]
        for keyword in call.keywords:
            if keyword.arg == param:
                return keyword.value, call_ctx
        hidden = any(keyword.arg is None for keyword in call.keywords)
        if param in positional:
            index = positional.index(param) + shift
            before = call.args[: index + 1]
            if any(isinstance(arg, ast.Starred) for arg in before):
                return None
            if index < len(call.args):
                return call.args[index], call_ctx
            if hidden:
                return None
            defaults = args.defaults
            offset = len(positional) - len(defaults)
            if positional.index(param) >= offset:
                return defaults[positional.index(param) - offset], Ctx(sink.ctx.module)
        elif hidden:
            return None
        elif param in (kw := [a.arg for a in args.kwonlyargs]):
            default = args.kw_defaults[kw.index(param)]
            if default is not None:
                return default, Ctx(sink.ctx.module)
        return True  # a call that does not pass it: nothing to check

    def _binds(
        self, call: ast.Call, call_ctx: Ctx, func: FuncNode, cls: ast.ClassDef | None
    ) -> int | None:
        """How many leading arguments precede the parameters, if ``call`` calls func."""
        target = call.func
        if cls is None:
            if isinstance(target, ast.Name) and target.id == func.name:
                return 0
            if isinstance(target, ast.Attribute) and target.attr == func.name:
                return 0
            return None
        if func.name != "__init__":
            if isinstance(target, ast.Attribute) and target.attr == func.name:
                return 0
            return None
        if isinstance(target, ast.Name):
            found = self.lookup(call_ctx.module, target.id)
            if (
                isinstance(found, tuple)
                and found[1] in found[0].classes
                and self._init_owner(found[0], found[0].classes[found[1]], True) is cls
            ):
                return 0
            return None
        if not isinstance(target, ast.Attribute) or target.attr != "__init__":
            return None
        if (
            isinstance(target.value, ast.Call)
            and callee_name(target.value.func) == "super"
            and call_ctx.cls is not None
        ):
            owner = self._init_owner(call_ctx.module, call_ctx.cls, False)
            return 0 if owner is cls else None
        if isinstance(target.value, ast.Name):
            found = self.lookup(call_ctx.module, target.value.id)
            if isinstance(found, tuple) and found[0].classes.get(found[1]) is cls:
                return 1  # Base.__init__(self, ...)
        return None

    def _init_owner(
        self, module: Module, cls: ast.ClassDef, include_self: bool
    ) -> ast.ClassDef | None:
        """The integration's class whose ``__init__`` runs for ``cls``."""
        if include_self and any(
            isinstance(s, FuncNode) and s.name == "__init__" for s in cls.body
        ):
            return cls
        for base in cls.bases:
            found = self.ref(base, module)
            if not isinstance(found, tuple) or found[1] not in found[0].classes:
                return None  # Home Assistant's __init__ comes first
            owner = self._init_owner(found[0], found[0].classes[found[1]], True)
            if owner is not None:
                return owner
        return None

    def _resolve_sinks(self) -> None:
        pending = list(self._sinks)
        forwarded: set[tuple[int, str, str]] = set()
        while pending:
            sink = pending.pop()
            expr, ctx = sink.expr, sink.ctx
            if (
                sink.kind == "entity"
                and isinstance(expr, ast.Attribute)
                and expr.attr in ("key", "translation_key")
            ):
                continue  # an entity description's key: checked where it is made
            param = self._param(expr, ctx)
            if param is not None and ctx.func is not None:
                marker = (id(ctx.func), param, sink.kind)
                if marker not in forwarded:
                    forwarded.add(marker)
                    pending.extend(self._forward(sink, param))
                continue
            values = self.strings(expr, ctx)
            if values is None:
                self.problems.append(
                    f"{ctx.at(expr)}: cannot tell which {sink.kind} translation key"
                    f" `{ast.unparse(expr)}` is; use a literal or a constant"
                )
                continue
            for value in sorted(values):
                self._use(sink, value)

    def _forward(self, sink: Sink, param: str) -> Iterator[Sink]:
        fallback = sink.platform or self.class_platform(sink.ctx.module, sink.ctx.cls)
        for call, call_ctx in self._calls:
            bound = self._bound_arg(sink, param, call, call_ctx)
            if bound is False or bound is True:
                continue
            if bound is None:
                self.problems.append(
                    f"{call_ctx.at(call)}: cannot tell which {sink.kind} translation"
                    " key this call passes on"
                )
                continue
            expr, ctx = bound
            yield Sink(sink.kind, expr, ctx, sink.platform, fallback)

    def _use(self, sink: Sink, value: str) -> None:
        ctx = sink.ctx
        where = ctx.at(sink.expr)
        if sink.kind != "entity":
            self.usages.append(Usage((sink.kind, value), where))
            return
        platform = (
            sink.platform
            or self.class_platform(ctx.module, ctx.cls)
            or sink.fallback_platform
            or (ctx.module.name if ctx.module.name in PLATFORMS else None)
        )
        owner = (ctx.module.name, ctx.cls.name) if ctx.cls is not None else None
        self.usages.append(Usage(("entity", platform or "?", value), where, owner))

    # -- flows

    def flow_classes(self) -> Iterator[tuple[Module, ast.ClassDef, str]]:
        for module in self.modules.values():
            for cls in module.classes.values():
                if (kind := self.flow_kind(module, cls)) is not None:
                    yield module, cls, kind

    def _find_subentry_types(self) -> None:
        for module in self.modules.values():
            for cls in module.classes.values():
                for node in cls.body:
                    if (
                        isinstance(node, FuncNode)
                        and node.name == "async_get_supported_subentry_types"
                    ):
                        self._subentry_types_from(node, module)

    def _subentry_types_from(self, func: FuncNode, module: Module) -> None:
        for value in self._returns(func):
            if not isinstance(value, ast.Dict):
                continue
            for key, flow in zip(value.keys, value.values, strict=True):
                names = None if key is None else self.strings(key, Ctx(module))
                found = self.ref(flow, module)
                if names and len(names) == 1 and isinstance(found, tuple):
                    self.subentry_types[found[1]] = next(iter(names))

    def _flow_sections(self) -> dict[int, set[tuple[str, ...]]]:
        """For each top-level definition, the strings sections of flows using it."""
        owners: dict[int, set[tuple[str, ...]]] = {}
        flows = list(self.flow_classes())
        flow_ids = {id(cls) for _, cls, _ in flows}
        # Helper classes of flows live beside them (like _HubErrors); classes
        # elsewhere are clients and models, whose code is not a flow's.
        flow_modules = {id(module) for module, _, _ in flows}
        for module, cls, kind in flows:
            section: tuple[str, ...] = (kind,)
            if kind == "config_subentries":
                subentry = self.subentry_types.get(cls.name)
                if subentry is None:
                    self.problems.append(
                        f"{module.path.name}:{cls.lineno}: {cls.name} is a subentry"
                        " flow that no async_get_supported_subentry_types offers"
                    )
                    continue
                section = (kind, subentry)
            reached: list[tuple[Module, ast.stmt]] = [(module, cls)]
            reached += [
                base
                for base in self.ancestors(module, cls)
                if not isinstance(base, External)
            ]
            index = 0
            while index < len(reached):
                owner_module, node = reached[index]
                index += 1
                owners.setdefault(id(node), set()).add(section)
                for name in ast.walk(node):
                    if not isinstance(name, ast.Name):
                        continue
                    found = self.lookup(owner_module, name.id)
                    if not isinstance(found, tuple):
                        continue
                    target_module, target = found
                    helper: ast.stmt | None = target_module.functions.get(target)
                    if helper is None and id(target_module) in flow_modules:
                        helper = target_module.classes.get(target)
                    if (
                        helper is not None
                        and id(helper) not in flow_ids
                        and all(helper is not n for _, n in reached)
                    ):
                        reached.append((target_module, helper))
        return owners

    def _resolve_flow_uses(self) -> None:
        owners = self._flow_sections()
        for use in self._flow_uses:
            sections = owners.get(id(use.ctx.top)) if use.ctx.top is not None else None
            if not sections:
                continue
            if isinstance(use.value, str):
                values: set[str] | None = {use.value}
            else:
                values = self.strings(use.value, use.ctx)
            step: set[str] | None = set()
            if use.step is not None:
                step = self.strings(use.step, use.ctx)
            if values is None or step is None:
                self.problems.append(
                    f"{use.ctx.at(use.node)}: cannot tell which flow {use.what}"
                    " this is; use a literal or a constant"
                )
                continue
            for section in sorted(sections):
                if use.config_only and section != ("config",):
                    continue
                for value in sorted(values):
                    if use.what == "menu_options":
                        paths = [
                            (*section, "step", s, "menu_options", value) for s in step
                        ]
                    else:
                        paths = [(*section, use.what, value)]
                    self.usages.extend(
                        Usage(path, use.ctx.at(use.node)) for path in paths
                    )

    def flow_defines(self, kind: str, method: str) -> bool:
        """Whether a flow of ``kind`` (or its base classes) defines ``method``."""
        for module, cls, flow_kind in self.flow_classes():
            if flow_kind != kind:
                continue
            classes = [cls] + [
                base[1]
                for base in self.ancestors(module, cls)
                if not isinstance(base, External)
            ]
            for candidate in classes:
                if any(
                    isinstance(s, FuncNode) and s.name == method for s in candidate.body
                ):
                    return True
        return False

    def constant(self, module: str, name: str) -> set[str] | None:
        found = self.modules.get(module)
        if found is None or name not in found.assigns:
            return None
        return _union([self.strings(v, Ctx(found)) for v in found.assigns[name]])


def _union(parts: Iterable[set[str] | None]) -> set[str] | None:
    result: set[str] = set()
    for part in parts:
        if part is None:
            return None
        result |= part
    return result


# ---------------------------------------------------------------- the checks


def manifest_problems(package: Path) -> list[str]:
    """What HACS and Home Assistant's loader would reject in manifest.json."""
    manifest = read_json(package / "manifest.json")
    problems = [
        f"manifest.json has no {key!r}"
        for key in MANIFEST_REQUIRED
        if key not in manifest
    ]
    domain = manifest.get("domain")
    if domain != package.name:
        problems.append(
            f"manifest.json domain {domain!r} is not the directory name"
            f" {package.name!r}"
        )
    index = CodeIndex(package)
    if (constant := index.constant("const", "DOMAIN")) != {domain}:
        problems.append(f"const.py DOMAIN {constant} is not the manifest's {domain!r}")
    if not isinstance(manifest.get("name"), str) or not manifest.get("name"):
        problems.append("manifest.json name must be a non-empty string")
    version = manifest.get("version")
    try:
        AwesomeVersion(str(version), ensure_strategy=[AwesomeVersionStrategy.SEMVER])
    except AwesomeVersionException:
        problems.append(f"manifest.json version {version!r} is not a semantic version")
    problems.extend(
        f"manifest.json {key} {manifest.get(key)!r} is not an https URL"
        for key in ("documentation", "issue_tracker")
        if key in manifest and not is_https_url(manifest[key])
    )
    owners = manifest.get("codeowners")
    if not (
        isinstance(owners, list)
        and owners
        and all(
            isinstance(o, str) and re.fullmatch(r"@[\w.-]+(/[\w.-]+)?", o)
            for o in owners
        )
    ):
        problems.append(f"manifest.json codeowners {owners!r} are not GitHub @handles")
    if manifest.get("config_flow") is not True:
        problems.append("manifest.json must have config_flow: true")
    keys = list(manifest)
    expected = [
        "domain",
        "name",
        *sorted(k for k in keys if k not in ("domain", "name")),
    ]
    if keys != expected:
        problems.append(
            f"manifest.json keys are not in hassfest's order (domain, name, then"
            f" alphabetical): expected {expected}"
        )
    if manifest.get("integration_type") not in INTEGRATION_TYPES:
        problems.append(
            f"manifest.json integration_type {manifest.get('integration_type')!r}"
            " is not one Home Assistant knows"
        )
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append(
            f"manifest.json iot_class {manifest.get('iot_class')!r} is not one Home"
            " Assistant knows"
        )
    if not isinstance(manifest.get("requirements", []), list):
        problems.append("manifest.json requirements must be a list")
    problems.extend(
        f"manifest.json has {key} discovery, but the config flow has no"
        f" async_step_{key}"
        for key in DISCOVERY_KEYS
        if key in manifest and not index.flow_defines("config", f"async_step_{key}")
    )
    return problems


def _requirement_lines(
    path: Path, seen: frozenset[Path] = frozenset()
) -> Iterator[str]:
    if path in seen:
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            yield from _requirement_lines(
                path.parent / line.split(maxsplit=1)[1], seen | {path}
            )
        elif line:
            yield line


def pinned_homeassistant(root: Path) -> str | None:
    """The Home Assistant the tests run on: the pin in the test requirements."""
    for line in _requirement_lines(root / "requirements_test.txt"):
        if match := re.fullmatch(r"homeassistant\s*==\s*(\S+)", line):
            return match.group(1)
    return None


def hacs_problems(root: Path) -> list[str]:
    """What HACS would reject in hacs.json or the repository's layout."""
    hacs = read_json(root / "hacs.json")
    integrations = [
        p
        for p in sorted((root / "custom_components").iterdir())
        if p.is_dir() and not p.name.startswith((".", "__"))
    ]
    problems = []
    if len(integrations) != 1:
        problems.append(
            "custom_components/ must hold exactly one integration for HACS, found"
            f" {[p.name for p in integrations]}"
        )
        return problems
    manifest = read_json(integrations[0] / "manifest.json")
    for key, value in hacs.items():
        if key not in HACS_KEYS:
            problems.append(f"hacs.json key {key!r} is not one HACS accepts")
        elif not isinstance(value, HACS_KEYS[key]):
            problems.append(f"hacs.json {key} has the wrong type: {value!r}")
    if hacs.get("name") != manifest.get("name"):
        problems.append(
            f"hacs.json name {hacs.get('name')!r} is not the manifest's name"
            f" {manifest.get('name')!r}"
        )
    if hacs.get("content_in_root") or hacs.get("zip_release"):
        problems.append(
            "hacs.json must not set content_in_root or zip_release: the integration"
            " is installed from custom_components/"
        )
    minimum = hacs.get("homeassistant")
    if minimum != MIN_HOMEASSISTANT:
        problems.append(
            f"hacs.json homeassistant is {minimum!r}, expected {MIN_HOMEASSISTANT!r}"
        )
    pin = pinned_homeassistant(root)
    if pin is None:
        problems.append("the test requirements pin no homeassistant==version")
    elif isinstance(minimum, str):
        try:
            pinned, least = AwesomeVersion(pin), AwesomeVersion(minimum)
            if pinned < least or (pinned.major, pinned.minor) != (
                least.major,
                least.minor,
            ):
                problems.append(
                    f"the tests run on homeassistant=={pin}, which is not of the"
                    f" {least.major}.{least.minor} release line that hacs.json"
                    f" promises ({minimum})"
                )
        except AwesomeVersionException as err:
            problems.append(f"cannot compare Home Assistant versions: {err}")
    if hacs.get("render_readme") and not (root / "README.md").is_file():
        problems.append("hacs.json renders README.md, which does not exist")
    return problems


def _service_fields(
    spec: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], list[str]]:
    """A service's fields (sections flattened) and its section names."""
    fields: dict[str, Any] = {}
    sections: list[str] = []
    for name, item in ((spec or {}).get("fields") or {}).items():
        if isinstance(item, dict) and "fields" in item:
            sections.append(name)
            fields.update(item["fields"] or {})
        else:
            fields[name] = item or {}
    return fields, sections


def _select_options(selector: Any) -> tuple[str | None, list[str]]:
    select = selector.get("select") if isinstance(selector, dict) else None
    if not isinstance(select, dict):
        return None, []
    options = [
        option["value"] if isinstance(option, dict) else str(option)
        for option in select.get("options") or []
    ]
    return select.get("translation_key"), options


def services_problems(package: Path) -> list[str]:
    """services.yaml against strings.json and icons.json, both ways."""
    services = read_yaml(package / "services.yaml")
    strings = read_json(package / "strings.json")
    icons = read_json(package / "icons.json")
    translated = strings.get("services", {})
    problems = []
    for service, spec in services.items():
        text = translated.get(service)
        if not isinstance(text, dict):
            problems.append(
                f"service {service} has no translation: add services.{service}"
                " with name and description to strings.json"
            )
            text = {}
        problems.extend(
            f"strings.json services.{service}.{part} is missing or empty"
            for part in ("name", "description")
            if text and not text.get(part)
        )
        fields, sections = _service_fields(spec)
        for name, item in fields.items():
            for part in ("name", "description"):
                if text and not lookup(text, ("fields", name, part)):
                    problems.append(
                        f"strings.json services.{service}.fields.{name}.{part}"
                        " is missing or empty"
                    )
            key, options = _select_options(item.get("selector"))
            if key is not None:
                labels = lookup(strings, ("selector", key, "options")) or {}
                problems.extend(
                    f"strings.json selector.{key}.options.{option} is missing (used"
                    f" by the {service} service's {name} field)"
                    for option in options
                    if option not in labels
                )
        for section in sections:
            if text and not lookup(text, ("sections", section, "name")):
                problems.append(
                    f"strings.json services.{service}.sections.{section}.name"
                    " is missing"
                )
        problems.extend(
            f"strings.json services.{service}.fields.{name} translates a field"
            " services.yaml does not have"
            for name in (text.get("fields") or {})
            if name not in fields
        )
        problems.extend(
            f"strings.json services.{service}.sections.{name} translates a section"
            " services.yaml does not have"
            for name in (text.get("sections") or {})
            if name not in sections
        )
        if not lookup(icons, ("services", service, "service")):
            problems.append(f"icons.json has no services.{service}.service icon")
    problems.extend(
        f"strings.json translates service {service}, which services.yaml does not have"
        for service in translated
        if service not in services
    )
    problems.extend(
        f"icons.json has an icon for service {service}, which services.yaml does not"
        " have"
        for service in icons.get("services", {})
        if service not in services
    )
    return problems


def icon_problems(package: Path) -> list[str]:
    """Entity icons must belong to translated entities, or they are never used."""
    strings = read_json(package / "strings.json")
    icons = read_json(package / "icons.json")
    return [
        f"icons.json entity.{platform}.{key} has no entity: strings.json has no"
        f" entity.{platform}.{key}"
        for platform, keys in icons.get("entity", {}).items()
        for key in keys
        if lookup(strings, ("entity", platform, key)) is None
    ]


def _differences(a: Any, b: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            if key not in b:
                yield f"{dotted((*path, key))} is only in strings.json"
            elif key not in a:
                yield f"{dotted((*path, key))} is only in translations/en.json"
            else:
                yield from _differences(a[key], b[key], (*path, key))
    elif a != b:
        yield f"{dotted(path)} differs"


def english_problems(package: Path) -> list[str]:
    """translations/en.json must be strings.json, as Home Assistant reads en.json."""
    strings = read_json(package / "strings.json")
    english = read_json(package / "translations" / "en.json")
    return [
        f"translations/en.json is not a copy of strings.json: {difference}"
        for difference in _differences(strings, english)
    ]


def _required_paths(usage: Usage, strings: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The strings.json entries a usage needs."""
    path = usage.path
    section = path[0]
    if section == "exceptions":
        return [(*path, "message")]
    if section == "issues":
        if lookup(strings, (*path, "fix_flow")) is not None:
            return [(*path, "title")]
        return [(*path, "title"), (*path, "description")]
    if section == "selector":
        return [(*path, "options")]
    if section == "device":
        return [(*path, "name")]
    return [path]


def missing_translation_problems(package: Path) -> list[str]:
    """Every translation key the code uses must be in strings.json."""
    strings = read_json(package / "strings.json")
    index = CodeIndex(package)
    problems = list(index.problems)
    seen: set[tuple[str, ...]] = set()
    for usage in index.usages:
        if usage.path[:2] == ("entity", "?"):
            key = usage.path[2]
            if not any(key in keys for keys in strings.get("entity", {}).values()):
                problems.append(
                    f"strings.json has no entity translation {key!r} (used at"
                    f" {usage.where}, on a platform this check cannot tell)"
                )
            continue
        for path in _required_paths(usage, strings):
            if path not in seen and lookup(strings, path) is None:
                seen.add(path)
                problems.append(
                    f"strings.json has no {dotted(path)} (used at {usage.where})"
                )
    for (module, cls), (types, where) in sorted(index.event_types.items()):
        for usage in index.usages:
            if usage.owner != (module, cls) or usage.path[:2] != ("entity", "event"):
                continue
            key = usage.path[2]
            states = ("entity", "event", key, "state_attributes", "event_type", "state")
            problems.extend(
                f"strings.json has no {dotted((*states, event_type))} (event type of"
                f" {cls}, {where})"
                for event_type in sorted(types)
                if lookup(strings, (*states, event_type)) is None
            )
    for subentry in sorted(set(index.subentry_types.values())):
        problems.extend(
            f"strings.json has no config_subentries.{subentry}.{dotted(part)}"
            for part in (("entry_type",), ("initiate_flow", "user"))
            if lookup(strings, ("config_subentries", subentry, *part)) is None
        )
    return problems


def dead_translation_problems(package: Path) -> list[str]:
    """Every exception, issue, entity, selector and device translation is used."""
    strings = read_json(package / "strings.json")
    services = read_yaml(package / "services.yaml")
    index = CodeIndex(package)
    used = {usage.path for usage in index.usages}
    for spec in services.values():
        for item in _service_fields(spec)[0].values():
            key, _ = _select_options(item.get("selector"))
            if key is not None:
                used.add(("selector", key))
    problems = [
        f"strings.json {section}.{key} is never used by the code"
        for section in NO_DEAD_SECTIONS
        for key in strings.get(section, {})
        if (section, key) not in used
    ]
    unknown_platform = {path[2] for path in used if path[:2] == ("entity", "?")}
    problems.extend(
        f"strings.json entity.{platform}.{key} is not the translation key of any entity"
        for platform, keys in strings.get("entity", {}).items()
        for key in keys
        if ("entity", platform, key) not in used and key not in unknown_platform
    )
    event_types: dict[str, set[str]] = {}
    for usage in index.usages:
        if usage.path[:2] == ("entity", "event") and usage.owner in index.event_types:
            types, _ = index.event_types[usage.owner]
            event_types.setdefault(usage.path[2], set()).update(types)
    for key, types in sorted(event_types.items()):
        states = lookup(
            strings, ("entity", "event", key, "state_attributes", "event_type", "state")
        )
        problems.extend(
            f"strings.json entity.event.{key} translates event type {state!r}, which"
            " the entity never fires"
            for state in states or {}
            if state not in types
        )
    return problems


def brand_problems(package: Path) -> list[str]:
    """The icons Home Assistant shows for the integration (2026.3+ reads brand/)."""
    brand = package / "brand"
    problems = []
    for name, size in BRAND_SIZES.items():
        path = brand / name
        if not path.is_file():
            problems.append(f"brand/{name} is missing")
            continue
        with Image.open(path) as image:
            if image.format != "PNG":
                problems.append(f"brand/{name} is {image.format}, not PNG")
            if image.size != (size, size):
                problems.append(f"brand/{name} is {image.size}, expected {size}x{size}")
            rgba = image.convert("RGBA")
            alpha = rgba.getchannel("A")
            corners = [
                alpha.getpixel(corner)
                for corner in ((0, 0), (rgba.width - 1, 0), (0, rgba.height - 1))
            ]
            if any(corner != 0 for corner in corners):
                problems.append(f"brand/{name} has no transparent background")
            if alpha.getextrema()[1] != 255:
                problems.append(f"brand/{name} shows nothing opaque")
    problems.extend(
        f"brand/{path.name} is not a brand image Home Assistant knows"
        for path in sorted(brand.iterdir())
        if path.name not in BRAND_FILES
    )
    return problems


def selector_option_problems(package_name: str) -> list[str]:
    """Each option of a translated select in a module's schemas has a label.

    Schemas are built from constants (``options=list(ALERT_CATEGORIES)``), so
    the modules are imported and their ready-made schemas inspected.
    """
    package = import_module(package_name)
    assert package.__file__ is not None
    strings = read_json(Path(package.__file__).parent / "strings.json")
    problems: list[str] = []
    for path in sorted(Path(package.__file__).parent.glob("*.py")):
        if path.stem == "__init__":
            module = package
        else:
            module = import_module(f"{package_name}.{path.stem}")
        for name, value in sorted(vars(module).items()):
            candidates: list[Any] = [value]
            if isinstance(value, vol.Schema) and isinstance(value.schema, dict):
                candidates = list(value.schema.values())
            for candidate in candidates:
                if not isinstance(candidate, SelectSelector):
                    continue
                key = candidate.config.get("translation_key")
                if key is None:
                    continue
                labels = lookup(strings, ("selector", key, "options")) or {}
                problems.extend(
                    f"strings.json selector.{key}.options.{option} is missing"
                    f" (offered by {path.name} {name})"
                    for option in (
                        o["value"] if isinstance(o, dict) else o
                        for o in candidate.config["options"]
                    )
                    if option not in labels
                )
    return problems


def report(problems: list[str]) -> str:
    return "\n".join(["", *problems])


# ---------------------------------------------------------------- the tree


def test_manifest_is_complete() -> None:
    problems = manifest_problems(PACKAGE)
    assert not problems, report(problems)


def test_hacs_json_matches_manifest_and_minimum_release() -> None:
    problems = hacs_problems(ROOT)
    assert not problems, report(problems)


def pinned_newest_harness(root: Path) -> str | None:
    """The newest line's pin: the harness version in requirements_newest.txt."""
    for line in _requirement_lines(root / "requirements_newest.txt"):
        if match := re.fullmatch(
            r"pytest-homeassistant-custom-component\s*==\s*(\S+)", line
        ):
            return match.group(1)
    return None


def test_tests_run_on_a_pinned_release() -> None:
    # The pins are only a promise if the environment really is one of them:
    # the oldest line's Home Assistant, or the newest line's harness (which
    # pins its Home Assistant exactly).
    harness = importlib.metadata.version("pytest-homeassistant-custom-component")
    if pinned_homeassistant(ROOT) == HA_VERSION:
        return
    assert harness == pinned_newest_harness(ROOT), (
        f"Home Assistant {HA_VERSION} with harness {harness} is neither supported"
        " line; run scripts/setup (oldest) or scripts/setup --newest again"
    )
    assert AwesomeVersion(HA_VERSION) > AwesomeVersion(pinned_homeassistant(ROOT))


def test_english_translation_is_strings_json() -> None:
    problems = english_problems(PACKAGE)
    assert not problems, report(problems)


def test_every_service_and_field_is_translated() -> None:
    problems = services_problems(PACKAGE)
    assert not problems, report(problems)


def test_entity_icons_belong_to_entities() -> None:
    problems = icon_problems(PACKAGE)
    assert not problems, report(problems)


def test_translation_keys_used_in_code_exist() -> None:
    problems = missing_translation_problems(PACKAGE)
    assert not problems, report(problems)


def test_no_dead_translations() -> None:
    problems = dead_translation_problems(PACKAGE)
    assert not problems, report(problems)


def test_select_options_are_translated() -> None:
    problems = selector_option_problems(f"custom_components.{DOMAIN}")
    assert not problems, report(problems)


def test_brand_icons() -> None:
    problems = brand_problems(PACKAGE)
    assert not problems, report(problems)


def _schema_keys(schema: Any) -> set[str] | None:
    while isinstance(schema, vol.All) and schema.validators:
        schema = schema.validators[0]
    if isinstance(schema, vol.Schema) and isinstance(schema.schema, dict):
        return {str(key) for key in schema.schema}
    return None


async def test_registered_services_are_described(hass: HomeAssistant) -> None:
    """What Home Assistant registers is what services.yaml describes."""
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    registered = hass.services.async_services_for_domain(DOMAIN)
    described = read_yaml(PACKAGE / "services.yaml")
    assert registered, "the integration registered no services at setup"
    problems = [
        f"service {DOMAIN}.{name} is registered but services.yaml does not describe it"
        for name in sorted(registered.keys() - described.keys())
    ]
    problems.extend(
        f"services.yaml describes {DOMAIN}.{name}, which is never registered"
        for name in sorted(described.keys() - registered.keys())
    )
    for name in sorted(registered.keys() & described.keys()):
        accepted = _schema_keys(registered[name].schema)
        fields = set(_service_fields(described[name])[0])
        if accepted is None:
            problems.append(
                f"service {DOMAIN}.{name} has no schema of fields to compare with"
                " services.yaml"
            )
            continue
        problems.extend(
            f"service {DOMAIN}.{name} accepts {key}, which services.yaml does not list"
            for key in sorted(accepted - fields)
        )
        problems.extend(
            f"services.yaml lists field {key} of {DOMAIN}.{name}, which it does"
            " not accept"
            for key in sorted(fields - accepted)
        )
    assert not problems, report(problems)


# ---------------------------------------------------------------- the checker


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of the repository's packaging files and integration to damage."""
    root = tmp_path / "repo"
    shutil.copytree(
        PACKAGE,
        root / "custom_components" / DOMAIN,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for name in ("hacs.json", "README.md", "requirements.txt", "requirements_test.txt"):
        shutil.copy(ROOT / name, root / name)
    return root


def edit_json(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    data = read_json(path)
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def edit_strings(package: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Change strings.json and its English copy alike."""
    for path in (package / "strings.json", package / "translations" / "en.json"):
        edit_json(path, change)


def _first_usage(package: Path, section: str) -> Usage:
    strings = read_json(package / "strings.json")
    for usage in CodeIndex(package).usages:
        if usage.path[0] == section and lookup(strings, usage.path) is not None:
            return usage
    raise AssertionError(f"the code uses no {section} translation to remove")


@pytest.mark.parametrize(
    "section", ["exceptions", "issues", "entity", "config", "config_subentries"]
)
def test_checker_catches_a_missing_translation(repo_copy: Path, section: str) -> None:
    package = repo_copy / "custom_components" / DOMAIN
    usage = _first_usage(package, section)
    assert not [
        p for p in missing_translation_problems(package) if dotted(usage.path) in p
    ]

    def remove(data: dict[str, Any]) -> None:
        del lookup(data, usage.path[:-1])[usage.path[-1]]

    edit_strings(package, remove)
    problems = missing_translation_problems(package)
    assert any(
        p.startswith(f"strings.json has no {dotted(usage.path)}") and usage.where in p
        for p in problems
    ), problems


def test_checker_catches_a_dead_translation(repo_copy: Path) -> None:
    package = repo_copy / "custom_components" / DOMAIN
    before = set(dead_translation_problems(package))

    def add(data: dict[str, Any]) -> None:
        data["exceptions"]["never_raised"] = {"message": "Nothing raises this."}
        data["entity"]["sensor"]["no_such_sensor"] = {"name": "No such sensor"}

    edit_strings(package, add)
    assert set(dead_translation_problems(package)) - before == {
        "strings.json exceptions.never_raised is never used by the code",
        "strings.json entity.sensor.no_such_sensor is not the translation key of any"
        " entity",
    }


def test_checker_catches_a_new_key_in_code(repo_copy: Path) -> None:
    package = repo_copy / "custom_components" / DOMAIN
    before = set(missing_translation_problems(package))
    (package / "extra.py").write_text(
        "from homeassistant.exceptions import HomeAssistantError\n"
        "from .const import DOMAIN\n"
        "\n"
        "def fail() -> None:\n"
        "    raise HomeAssistantError(\n"
        '        translation_domain=DOMAIN, translation_key="brand_new_failure"\n'
        "    )\n",
        encoding="utf-8",
    )
    assert set(missing_translation_problems(package)) - before == {
        "strings.json has no exceptions.brand_new_failure.message (used at extra.py:6)"
    }


MINI_CODE: Final = """
from typing import Final
from homeassistant.components.event import EventEntity
from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.config_entries import ConfigFlow, ConfigSubentryFlow
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir

DOMAIN = "mini"
KEY: Final = "from_constant"
EVENTS: Final = ("opened", "closed")


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(translation_domain=DOMAIN, translation_key=key)


def act(flag: bool) -> None:
    if flag:
        raise _invalid("via_helper")
    raise _invalid(KEY)


def warn(hass) -> None:
    ir.async_create_issue(hass, DOMAIN, "x", translation_key="an_issue")


class Base:
    def __init__(self, coordinator, key: str) -> None:
        self._attr_translation_key = key


class Door(Base, EventEntity):
    def __init__(self, coordinator) -> None:
        super().__init__(coordinator, "door")
        self._attr_event_types = list(EVENTS)


COUNT = SensorEntityDescription(key="count")


class Counter(Base, SensorEntity):
    pass


class Flow(ConfigFlow, domain=DOMAIN):
    @classmethod
    def async_get_supported_subentry_types(cls, entry):
        return {"thing": ThingFlow}

    async def async_step_user(self, user_input=None):
        errors = {}
        if user_input is not None:
            reason = "gone" if user_input else "lost"
            return self.async_abort(reason=reason)
        return self.async_show_form(step_id="user", errors=errors)


class ThingFlow(ConfigSubentryFlow):
    async def async_step_user(self, user_input=None):
        errors = {}
        if error := self._check(user_input):
            errors["base"] = error
        return self.async_show_form(step_id="user", errors=errors)

    def _check(self, user_input):
        if user_input is None:
            return None
        return "too_big" if user_input else "too_small"
"""


def mini_line(text: str) -> int:
    """The line of MINI_CODE that holds ``text``, as the checker reports it."""
    return next(
        number
        for number, line in enumerate(MINI_CODE.splitlines(), start=1)
        if text in line
    )


def test_checker_follows_helpers_bases_constants_and_flows(tmp_path: Path) -> None:
    package = tmp_path / "mini"
    package.mkdir()
    (package / "code.py").write_text(MINI_CODE, encoding="utf-8")
    (package / "services.yaml").write_text("", encoding="utf-8")
    strings = {
        "config": {"step": {"user": {}}, "abort": {"gone": "Gone"}},
        "config_subentries": {
            "thing": {"step": {"user": {}}, "error": {"too_big": "Too big"}}
        },
        "exceptions": {
            "via_helper": {"message": "Helper"},
            "unused": {"message": "Unused"},
        },
        "entity": {
            "event": {
                "door": {
                    "state_attributes": {
                        "event_type": {"state": {"opened": "Opened", "ajar": "Ajar"}}
                    }
                }
            },
            "sensor": {"count": {"name": "Count"}},
        },
    }
    (package / "strings.json").write_text(json.dumps(strings), encoding="utf-8")
    issue = mini_line('translation_key="an_issue"')
    error = mini_line('"base"] = error')

    assert sorted(missing_translation_problems(package)) == sorted(
        [
            "strings.json has no exceptions.from_constant.message (used at"
            f" code.py:{mini_line('raise _invalid(KEY)')})",
            f"strings.json has no issues.an_issue.title (used at code.py:{issue})",
            "strings.json has no issues.an_issue.description (used at"
            f" code.py:{issue})",
            "strings.json has no config.abort.lost (used at"
            f" code.py:{mini_line('async_abort(reason=reason)')})",
            "strings.json has no config_subentries.thing.error.too_small (used at"
            f" code.py:{error})",
            "strings.json has no entity.event.door.state_attributes.event_type.state"
            f".closed (event type of Door, code.py:{mini_line('_attr_event_types')})",
            "strings.json has no config_subentries.thing.entry_type",
            "strings.json has no config_subentries.thing.initiate_flow.user",
        ]
    )
    assert sorted(dead_translation_problems(package)) == [
        "strings.json entity.event.door translates event type 'ajar', which the"
        " entity never fires",
        "strings.json exceptions.unused is never used by the code",
    ]


def test_checker_reports_keys_it_cannot_follow(tmp_path: Path) -> None:
    package = tmp_path / "mini"
    package.mkdir()
    (package / "code.py").write_text(
        "from homeassistant.exceptions import HomeAssistantError\n"
        "\n"
        "def fail(kind: str) -> None:\n"
        "    raise HomeAssistantError(\n"
        '        translation_domain="mini", translation_key=f"bad_{kind}"\n'
        "    )\n",
        encoding="utf-8",
    )
    (package / "strings.json").write_text("{}", encoding="utf-8")
    assert missing_translation_problems(package) == [
        "code.py:5: cannot tell which exceptions translation key `f'bad_{kind}'` is;"
        " use a literal or a constant"
    ]


def test_checker_catches_untranslated_services(repo_copy: Path) -> None:
    package = repo_copy / "custom_components" / DOMAIN
    services = read_yaml(package / "services.yaml")
    service = sorted(services)[0]
    field_name = sorted(_service_fields(services[service])[0])[0]
    before = set(services_problems(package))

    def damage(data: dict[str, Any]) -> None:
        del data["services"][service]["fields"][field_name]["description"]
        data["services"][service]["fields"]["ghost"] = {"name": "G", "description": "G"}
        data["services"]["phantom"] = {"name": "P", "description": "P"}

    edit_strings(package, damage)
    edit_json(package / "icons.json", lambda d: d["services"].pop(service))
    assert set(services_problems(package)) - before == {
        f"strings.json services.{service}.fields.{field_name}.description is"
        " missing or empty",
        f"strings.json services.{service}.fields.ghost translates a field"
        " services.yaml does not have",
        "strings.json translates service phantom, which services.yaml does not have",
        f"icons.json has no services.{service}.service icon",
    }


def test_checker_catches_a_diverging_english_translation(repo_copy: Path) -> None:
    package = repo_copy / "custom_components" / DOMAIN
    before = set(english_problems(package))

    def change(data: dict[str, Any]) -> None:
        data["exceptions"]["invented"] = {"message": "Only in strings.json"}

    edit_json(package / "strings.json", change)
    assert set(english_problems(package)) - before == {
        "translations/en.json is not a copy of strings.json: exceptions.invented is"
        " only in strings.json"
    }


def test_checker_catches_manifest_and_hacs_mistakes(repo_copy: Path) -> None:
    package = repo_copy / "custom_components" / DOMAIN

    def manifest(data: dict[str, Any]) -> None:
        data["version"] = "soon"
        data["documentation"] = "http://example.com/porchlight"
        del data["issue_tracker"]

    edit_json(package / "manifest.json", manifest)
    problems = manifest_problems(package)
    assert "manifest.json has no 'issue_tracker'" in problems
    assert "manifest.json version 'soon' is not a semantic version" in problems
    assert (
        "manifest.json documentation 'http://example.com/porchlight' is not an"
        " https URL"
    ) in problems

    def hacs(data: dict[str, Any]) -> None:
        data["name"] = "Porch light"
        data["homeassistant"] = "2024.12.0"
        data["icon"] = "mdi:lamp"

    edit_json(repo_copy / "hacs.json", hacs)
    problems = hacs_problems(repo_copy)
    assert "hacs.json key 'icon' is not one HACS accepts" in problems
    assert any(p.startswith("hacs.json name 'Porch light'") for p in problems)
    assert (
        f"hacs.json homeassistant is '2024.12.0', expected {MIN_HOMEASSISTANT!r}"
    ) in problems


def test_checker_catches_wrong_brand_icons(repo_copy: Path) -> None:
    package = repo_copy / "custom_components" / DOMAIN
    Image.new("RGBA", (128, 128), (255, 0, 0, 255)).save(package / "brand" / "icon.png")
    (package / "brand" / "icon@2x.png").unlink()
    assert brand_problems(package) == [
        "brand/icon.png is (128, 128), expected 256x256",
        "brand/icon.png has no transparent background",
        "brand/icon@2x.png is missing",
    ]
