"""``@task_receiver`` under the mypy plugin: the five rules, as for ``@receiver``.

The case file is checked by mypy in this process (with the project's mypy.ini)
and run at run time, through the plugin suite's own helpers: each marked line
gets exactly its errors, and the runtime refuses exactly what the plugin does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import test_mypy_plugin as plugin_suite

ROOT = Path(__file__).resolve().parents[2]
CASE = Path(__file__).parent / "typing_cases" / "plugin_task_receiver.py"


@pytest.fixture(scope="module")
def case_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[plugin_suite.Error]]:
    cache = tmp_path_factory.mktemp("mypy_cache")
    args = ["--config-file", str(ROOT / "mypy.ini"), "--cache-dir", str(cache), str(CASE)]
    return plugin_suite.run_mypy(args)


def test_marked_lines_get_exactly_their_errors(
    case_run: tuple[str, list[plugin_suite.Error]],
) -> None:
    assert len(plugin_suite.expected_errors(CASE)) == 8
    plugin_suite.test_marked_lines_get_exactly_their_errors(case_run, CASE)


def test_messages_name_the_receiver_and_the_signal(
    case_run: tuple[str, list[plugin_suite.Error]],
) -> None:
    _, errors = case_run
    wrong_size = next(
        e for e in errors if e.rule == "receiver-payload-type" and "wrong_size" in e.message
    )
    assert wrong_size.message.startswith(
        'Receiver "wrong_size" cannot be connected to signal "pizza_done" '
        "(Signal[type[Store], PizzaDone]): [receiver-payload-type]"
    )


def test_the_runtime_refuses_exactly_what_the_plugin_refuses(
    case_run: tuple[str, list[plugin_suite.Error]],
) -> None:
    plugin_suite.test_the_runtime_refuses_exactly_what_the_plugin_refuses(case_run, CASE)
