"""Formulas of derived indicators: their grammar, the indicators they read, and cycles among them.

A derived indicator's ``formula`` is an arithmetic expression over other indicators' codes, e.g.

* per capita: ``GDP_CURRENT_Y / POPULATION * 1000``
* share: ``EXPORTS_FDI / EXPORTS * 100``
* growth on the same period last year: ``(RETAIL_SALES / last_year(RETAIL_SALES) - 1) * 100``
* sum of components: ``BUDGET_REVENUE_DOMESTIC + BUDGET_REVENUE_OIL + BUDGET_REVENUE_TRADE``

Allowed: numbers, indicator codes, ``+ - * /``, unary ``-``, parentheses and ``last_year(CODE)``
(the input's value in the same period one year earlier). Anything else (names of Python objects
with dots, calls of other functions, comparisons, ``**``, strings) is refused. The expression is
parsed with :mod:`ast` and never handed to ``eval``: :func:`compile_formula` turns it into a tree
of closures over the four operations, evaluated for every area and period where the inputs exist
(:mod:`domain.derived`). A missing input, a division by zero or a result that is not finite gives
no value (``None``), never an error.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping

FUNCTIONS = frozenset({"last_year"})
MAX_FORMULA_CHARS = 500
MAX_FORMULA_NODES = 200
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_]*$")
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div)

Lookup = Callable[[str, bool], float | None]
"""``lookup(code, last_year)``: an input's value at the area and period being computed (or in the
same period one year earlier), None when it is missing."""
Compiled = Callable[[Lookup], float | None]


class FormulaError(ValueError):
    """A formula that is not in the grammar; ``str(exc)`` says what (English, for the log)."""


def formula_inputs(text: str) -> frozenset[str]:
    """The indicator codes ``text`` reads; :class:`FormulaError` when it is not a formula."""
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaError(f"longer than {MAX_FORMULA_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not an expression ({exc.msg})") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_FORMULA_NODES:
        raise FormulaError(f"more than {MAX_FORMULA_NODES} terms")
    codes: set[str] = set()
    _check(tree.body, codes)
    if not codes:
        raise FormulaError("reads no indicator")
    return frozenset(codes)


def _check(node: ast.expr, codes: set[str]) -> None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, _OPERATORS):
        _check(node.left, codes)
        _check(node.right, codes)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _check(node.operand, codes)
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return
    elif isinstance(node, ast.Name):
        if not _CODE.match(node.id):
            raise FormulaError(f"{node.id!r} is not an indicator code")
        codes.add(node.id)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.Name):
            raise FormulaError(f"{node.func.id}() takes one indicator code")
        _check(node.args[0], codes)
    else:
        raise FormulaError(f"{type(node).__name__} is not allowed")


def formula_cycles(inputs: Mapping[str, frozenset[str]]) -> list[list[str]]:
    """The groups of derived indicators whose formulas read each other in a circle: ``inputs``
    maps each derived indicator to the codes its formula reads. Each group (a strongly connected
    component with a cycle: several indicators, or one that reads itself) is returned once, sorted;
    the groups are sorted by their first code. Iterative (Tarjan), so long chains do not recurse."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(inputs):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(c for c in inputs[root] if c in inputs))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(c for c in inputs[nxt] if c in inputs)))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:  # the root of a component: it and what is above it on the stack
                cut = len(stack) - 1 - stack[::-1].index(node)
                members = stack[cut:]
                del stack[cut:]
                on_stack.difference_update(members)
                if len(members) > 1 or node in inputs[node]:
                    groups.append(sorted(members))
    return sorted(groups)


def compile_formula(text: str) -> Compiled:
    """``text`` (checked by :func:`formula_inputs`) as a function of a :data:`Lookup`: the value, or
    None when an input is missing, a divisor is zero or the result is not finite."""
    formula_inputs(text)
    node = _compile(ast.parse(text.strip(), mode="eval").body)

    def evaluate(lookup: Lookup) -> float | None:
        value = node(lookup)
        return value if value is not None and math.isfinite(value) else None

    return evaluate


def _compile(node: ast.expr) -> Compiled:
    if isinstance(node, ast.BinOp):
        left, right, op = _compile(node.left), _compile(node.right), type(node.op)

        def binary(lookup: Lookup) -> float | None:
            a = left(lookup)
            b = right(lookup) if a is not None else None
            if a is None or b is None:
                return None
            if op is ast.Add:
                return a + b
            if op is ast.Sub:
                return a - b
            if op is ast.Mult:
                return a * b
            return a / b if b != 0 else None

        return binary
    if isinstance(node, ast.UnaryOp):
        operand, sign = _compile(node.operand), -1.0 if isinstance(node.op, ast.USub) else 1.0

        def unary(lookup: Lookup) -> float | None:
            v = operand(lookup)
            return None if v is None else sign * v

        return unary
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)  # checked by formula_inputs
        number = float(node.value)
        return lambda _lookup: number
    if isinstance(node, ast.Name):
        code = node.id
        return lambda lookup: _finite(lookup(code, False))
    assert isinstance(node, ast.Call) and isinstance(node.args[0], ast.Name)  # last_year(CODE), checked above
    earlier = node.args[0].id
    return lambda lookup: _finite(lookup(earlier, True))


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def uses_last_year(text: str) -> bool:
    """Whether ``text`` reads an input's value of the year before."""
    return any(isinstance(n, ast.Call) for n in ast.walk(ast.parse(text.strip(), mode="eval")))
