"""What the commands print: tables, JSON, Mermaid and DOT."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from typedsignals import hooks, rules, typecompat
from typedsignals.introspection import (
    ReceiverInfo,
    ReceiverProblem,
    receivers,
    signal_label,
    signal_path,
)

__all__ = [
    "describe",
    "print_check",
    "print_graph",
    "print_list",
    "relative",
    "signal_name",
]

_COLUMNS = ("RECEIVER", "LOCATION", "SENDER", "REF", "KIND", "DISPATCH_UID")


def relative(path: str | None) -> str | None:
    """``path`` relative to the current directory when it is under it.

    Arguments:

        path
            A file path, or None.
    """
    if path is None:
        return None
    cwd = os.getcwd() + os.sep
    return path[len(cwd) :] if path.startswith(cwd) else path


def signal_name(signal: object) -> str:
    """How the commands name a signal: ``module:name``, else its label.

    Arguments:

        signal
            Any signal.
    """
    return signal_path(signal) or signal_label(signal)


Reader = Callable[[object], list[ReceiverInfo]]


def describe(signal: object, infos: Sequence[ReceiverInfo] | None = None) -> dict[str, Any]:
    """A signal as the JSON of ``list``: name, type, where it was created, receivers.

    Arguments:

        signal
            Any signal.

        infos
            Its receivers, if already read (default: read now).
    """
    created = hooks.origin(signal)
    return {
        "signal": signal_name(signal),
        "type": _type_text(signal),
        "defined_at": f"{relative(created[1])}:{created[2]}" if created else None,
        "receivers": [_located(info) for info in (receivers(signal) if infos is None else infos)],
    }


def _located(info: ReceiverInfo) -> dict[str, Any]:
    data = info.as_json()
    data["path"] = relative(info.path)
    return data


def _type_text(signal: object) -> str:
    alias = getattr(signal, "__orig_class__", None)
    cls = type(signal)
    if alias is not None:
        return typecompat.show(alias)
    if cls.__module__.startswith("typedsignals"):
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _location(info: ReceiverInfo) -> str:
    return f"{relative(info.path)}:{info.line}" if info.path else "<unknown location>"


def _row(info: ReceiverInfo) -> tuple[str, ...]:
    return (
        info.name,
        _location(info),
        info.sender_text,
        "weak" if info.weak else "strong",
        "async" if info.is_async else "sync",
        "-" if info.dispatch_uid is None else repr(info.dispatch_uid),
    )


def _table(rows: Sequence[Sequence[str]], indent: str) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        indent
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def print_list(
    signals: Sequence[object], out: TextIO, as_json: bool = False, read: Reader = receivers
) -> None:
    """``list``: each signal and its receivers, as a table (or JSON).

    Arguments:

        signals
            The signals, in order.

        out
            Where to print.

        as_json
            Print ``{"signals": [...]}`` instead.

        read
            What reads a signal's receivers.
    """
    found = [read(signal) for signal in signals]
    described = [describe(signal, infos) for signal, infos in zip(signals, found, strict=True)]
    if as_json:
        print(json.dumps({"signals": described}, indent=2), file=out)
        return
    for number, (infos, data) in enumerate(zip(found, described, strict=True)):
        if number:
            print(file=out)
        where = f", defined at {data['defined_at']}" if data["defined_at"] else ""
        print(
            f"{data['signal']}  {data['type']}{where}: {_count(len(infos), 'receiver')}", file=out
        )
        if infos:
            for line in _table([_COLUMNS, *map(_row, infos)], "  "):
                print(line, file=out)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def print_check(
    signals: Sequence[object],
    problems: Sequence[ReceiverProblem],
    out: TextIO,
    as_json: bool = False,
    checked: int | None = None,
) -> None:
    """``check``: the problems found, and a summary line (or JSON).

    Arguments:

        signals
            The signals checked.

        problems
            What the check found.

        out
            Where to print.

        as_json
            Print one JSON object instead.

        checked
            How many receivers were checked (default: those of ``signals`` now).
    """
    count = checked if checked is not None else sum(len(receivers(s)) for s in signals)
    if as_json:
        data = {
            "ok": not problems,
            "signals": len(signals),
            "receivers": count,
            "rules": [rule.id for rule in rules.ALL_RULES],
            "problems": [_located_problem(p) for p in problems],
        }
        print(json.dumps(data, indent=2), file=out)
        return
    for problem in problems:
        info = problem.receiver
        print(
            f"{problem.signal}: {info.name} ({_location(info)}), sender {info.sender_text}:\n"
            f"  {problem.violation.describe()}",
            file=out,
        )
    verdict = _count(len(problems), "problem") if problems else "no problems"
    print(
        f"Checked {_count(count, 'receiver')} of {_count(len(signals), 'signal')} against "
        f"{len(rules.ALL_RULES)} rules: {verdict}.",
        file=out,
    )


def _located_problem(problem: ReceiverProblem) -> dict[str, Any]:
    data = problem.as_json()
    data["path"] = relative(problem.receiver.path)
    return data


def print_graph(
    signals: Sequence[object], out: TextIO, fmt: str = "mermaid", read: Reader = receivers
) -> None:
    """``graph``: signals and their receivers, as Mermaid (``flowchart``) or DOT.

    A receiver connected to several signals is one node with an edge from each;
    an edge is labelled with its sender filter, if it has one.

    Arguments:

        signals
            The signals.

        out
            Where to print.

        fmt
            ``"mermaid"`` or ``"dot"``.

        read
            What reads a signal's receivers.
    """
    nodes: dict[int, tuple[str, ReceiverInfo]] = {}
    edges: list[tuple[str, str, str | None]] = []
    names: list[tuple[str, str]] = []
    for number, signal in enumerate(signals):
        signal_id = f"s{number}"
        names.append((signal_id, signal_name(signal)))
        for info in read(signal):
            node = nodes.setdefault(id(info.receiver), (f"r{len(nodes)}", info))[0]
            sender = None if info.sender is None and info.sender_known else info.sender_text
            edges.append((signal_id, node, sender))
    lines = _mermaid(names, nodes, edges) if fmt == "mermaid" else _dot(names, nodes, edges)
    print("\n".join(lines), file=out)


def _receiver_text(info: ReceiverInfo) -> tuple[str, str]:
    kind = " (async)" if info.is_async else ""
    return f"{info.name}{kind}", _location(info)


def _mermaid(
    names: list[tuple[str, str]],
    nodes: dict[int, tuple[str, ReceiverInfo]],
    edges: list[tuple[str, str, str | None]],
) -> list[str]:
    def text(value: str) -> str:
        return value.replace('"', "#quot;")

    lines = ["flowchart LR"]
    lines += [f'    {node}(["{text(name)}"])' for node, name in names]
    for node, info in nodes.values():
        name, where = _receiver_text(info)
        lines.append(f'    {node}["{text(name)}<br/>{text(where)}"]')
    for source, target, sender in edges:
        label = f'|"sender: {text(sender)}"|' if sender else ""
        lines.append(f"    {source} -->{label} {target}")
    return lines


def _dot(
    names: list[tuple[str, str]],
    nodes: dict[int, tuple[str, ReceiverInfo]],
    edges: list[tuple[str, str, str | None]],
) -> list[str]:
    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"')

    lines = ["digraph typedsignals {", "    rankdir=LR;", "    node [shape=box];"]
    lines += [f'    {node} [label="{text(name)}", shape=ellipse];' for node, name in names]
    for node, info in nodes.values():
        name, where = _receiver_text(info)
        lines.append(f'    {node} [label="{text(name)}\\n{text(where)}"];')
    for source, target, sender in edges:
        label = f' [label="sender: {text(sender)}"]' if sender else ""
        lines.append(f"    {source} -> {target}{label};")
    lines.append("}")
    return lines
