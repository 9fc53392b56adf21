"""The parser and the three commands: ``list``, ``check`` and ``graph``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from typedsignals import introspection, rules

from .loading import LoadError, load
from .output import print_check, print_graph, print_list, signal_name

__all__ = ["COMMANDS", "add_commands", "build_parser", "main", "run"]

#: Each command: its name, one line of help, its description.
COMMANDS = (
    (
        "list",
        "list signals and their receivers",
        "Import the modules and print each signal they hold with its receivers: qualified "
        "name, file:line, sender filter, weak or strong reference, sync or async, dispatch_uid.",
    ),
    (
        "check",
        "check every connected receiver (exit status 1 on a problem)",
        "Import the modules and run the runtime validator over every receiver connected to "
        f"their signals ({len(rules.ALL_RULES)} rules: "
        f"{', '.join(rule.id for rule in rules.ALL_RULES)}); "
        "exit with status 1 if a receiver breaks one. A CI lint for projects without mypy.",
    ),
    (
        "graph",
        "print a Mermaid or DOT graph of signals and receivers",
        "Import the modules and print their signals and receivers as a graph: Mermaid "
        "(a flowchart, the default) or Graphviz DOT.",
    ),
)

_MODULES_HELP = (
    "a module (its signals, and those of the submodules it imports) or MODULE:SIGNAL for "
    "one signal, e.g. shop.signals or shop.signals:pizza_done; imported from the current "
    "directory"
)

Checker = Callable[[object, str], list[introspection.ReceiverProblem]]
Reader = Callable[[object], list[introspection.ReceiverInfo]]


def add_commands(subparsers: Any, modules_required: bool = True) -> None:
    """Add ``list``, ``check`` and ``graph`` to an argparse ``add_subparsers()`` result.

    Arguments:

        subparsers
            What ``parser.add_subparsers()`` returned (Django's command parser too).

        modules_required
            Whether at least one ``MODULE[:SIGNAL]`` must be given.
    """
    for name, summary, description in COMMANDS:
        command = subparsers.add_parser(name, help=summary, description=description)
        command.add_argument(
            "modules",
            nargs="+" if modules_required else "*",
            metavar="MODULE[:SIGNAL]",
            help=_MODULES_HELP,
        )
        if name in ("list", "check"):
            command.add_argument("--json", action="store_true", help="print JSON instead")
        if name == "graph":
            command.add_argument(
                "--format",
                choices=("mermaid", "dot"),
                default="mermaid",
                help="the graph language (default: mermaid)",
            )


def build_parser(prog: str = "typedsignals") -> argparse.ArgumentParser:
    """The parser of the command line.

    Arguments:

        prog
            The program name in messages.
    """
    parser = argparse.ArgumentParser(
        prog=prog,
        description="List, check and graph the signals of Python modules and their receivers.",
    )
    add_commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    return parser


def run(
    command: str,
    signals: Sequence[object],
    out: TextIO,
    *,
    as_json: bool = False,
    fmt: str = "mermaid",
    checker: Checker | None = None,
    read: Reader | None = None,
) -> int:
    """Run one command over ``signals``; return the exit status.

    Arguments:

        command
            ``"list"``, ``"check"`` or ``"graph"``.

        signals
            The signals, in order.

        out
            Where to print.

        as_json
            ``list`` and ``check``: print JSON.

        fmt
            ``graph``: ``"mermaid"`` or ``"dot"``.

        checker
            ``check``: what checks one signal (given its name); default
            ``introspection.check``, the runtime validator.

        read
            What reads a signal's receivers; default ``introspection.receivers``.
    """
    read = read or introspection.receivers
    if command == "list":
        print_list(signals, out, as_json, read)
        return 0
    if command == "graph":
        print_graph(signals, out, fmt, read)
        return 0
    if command != "check":
        raise ValueError(f"unknown command {command!r}")
    check = checker or introspection.check
    counted = sum(len(read(signal)) for signal in signals)
    problems = [problem for signal in signals for problem in check(signal, signal_name(signal))]
    print_check(signals, problems, out, as_json, checked=counted)
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None, prog: str = "typedsignals") -> int:
    """The ``typedsignals`` script and ``python -m typedsignals``; returns the exit status.

    Arguments:

        argv
            The arguments (default: ``sys.argv[1:]``).

        prog
            The program name in messages.
    """
    args = build_parser(prog).parse_args(argv)
    try:
        signals = load(args.modules)
    except LoadError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    return run(
        args.command,
        signals,
        sys.stdout,
        as_json=getattr(args, "json", False),
        fmt=getattr(args, "format", "mermaid"),
    )
