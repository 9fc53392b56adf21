"""The pytest plugin (typedsignals.testing.plugin), through pytest's own ``pytester``.

The plugin is registered by the ``pytest11`` entry point of the installed
package: the runs below load it as any project's pytest would, without
``-p``. Subprocess runs check just that; the others run in process.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SIGNALS = """
from typedsignals import Signal

pizza_done = Signal(name="pizza_done")
pizza_burnt = Signal(name="pizza_burnt")


def kitchen(sender, **kwargs):
    return "cooked"


pizza_done.connect(kitchen)
pizza_burnt.connect(kitchen)
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(shop_signals=SIGNALS)
    pytester.syspathinsert()
    return pytester


def test_active_once_installed_with_fixtures_and_a_registered_marker(project: pytest.Pytester):
    project.makepyfile(
        test_shop="""
        import pytest
        from shop_signals import kitchen, pizza_burnt, pizza_done


        def test_fixtures(capture_signal, mute_signals, connect_receiver):
            captured = capture_signal(pizza_done)
            mute_signals(pizza_burnt)
            seen = []
            def note(sender, **kwargs):
                seen.append(sender)

            connect_receiver(note, pizza_done)
            assert pizza_done.send("store") == [(kitchen, "cooked"), (note, None)]
            assert pizza_burnt.send("store") == []
            captured.assert_sent_once_with("store")
            assert seen == ["store"]


        def test_after_the_fixtures():
            assert len(pizza_done.receivers) == 1  # connect_receiver disconnected
            assert pizza_burnt.send("store") == [(kitchen, "cooked")]  # unmuted


        @pytest.mark.mute_signals(pizza_done, "shop_signals:pizza_burnt")
        def test_marker():
            assert pizza_done.send("store") == []
            assert pizza_burnt.send("store") == []


        @pytest.fixture
        def sends_in_a_fixture():
            yield pizza_done.send("store")


        @pytest.mark.mute_signals("shop_signals.pizza_done")
        def test_marker_covers_fixtures(sends_in_a_fixture):
            assert sends_in_a_fixture == []


        def test_after_the_marker():
            assert pizza_done.send("store") == [(kitchen, "cooked")]
        """
    )
    result = project.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
    markers = project.runpytest_subprocess("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.mute_signals(*signals): mute these signals*"])


def test_a_bad_marker_argument_is_a_clear_error(project: pytest.Pytester):
    project.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.mute_signals("shop_signals:nothing_here")
        def test_missing():
            pass

        @pytest.mark.mute_signals(42)
        def test_not_a_signal():
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*mute_signals('shop_signals:nothing_here'): cannot find that signal*",
            "*mute_signals takes signals or 'module:name' paths; got int 42*",
        ]
    )


LEAKY = """
import pytest
from shop_signals import pizza_done
from typedsignals.testing import connected_to


def on_done(sender, **kwargs):
    pass


def test_leaves_a_receiver():
    pizza_done.connect(on_done)


def test_cleans_up():
    pizza_done.connect(on_done, sender="store")
    pizza_done.disconnect(on_done, sender="store")
    with connected_to(lambda **kwargs: None, pizza_done):
        pass


def test_a_weak_local_receiver_dies_with_the_test():
    def local(**kwargs):
        pass

    pizza_done.connect(local)


def test_fails_and_leaks():
    pizza_done.connect(on_done, dispatch_uid="again")
    assert False
"""


def test_the_leak_check_is_opt_in(project: pytest.Pytester):
    project.makepyfile(test_leaky=LEAKY)
    result = project.runpytest()
    result.assert_outcomes(passed=3, failed=1)


@pytest.mark.parametrize("how", ["flag", "ini"])
def test_the_leak_check_fails_a_test_that_leaves_a_receiver(project: pytest.Pytester, how: str):
    project.makepyfile(test_leaky=LEAKY)
    if how == "ini":
        project.makeini("[pytest]\ntypedsignals_check_leaks = true\n")
        result = project.runpytest()
    else:
        result = project.runpytest("--typedsignals-check-leaks")
    # The leak is an error at tear-down; the failed test's own leak is not reported too.
    result.assert_outcomes(passed=3, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_a_receiver*",
            "*test_leaky.py::test_leaves_a_receiver left 1 receiver connected that it added*",
            "*test_leaky.on_done (*test_leaky.py:*) on signal 'pizza_done', for every sender, weak",
            "*connect it with the connect_receiver fixture or typedsignals.testing.connected_to()*",
        ]
    )
    assert "test_cleans_up left" not in result.stdout.str()
    assert "test_fails_and_leaks left" not in result.stdout.str()


def test_the_plugin_can_be_turned_off(project: pytest.Pytester):
    project.makepyfile(
        test_off="""
        def test_no_fixture(request):
            assert "capture_signal" not in request.fixturenames
        """
    )
    result = project.runpytest_subprocess("-p", "no:typedsignals", "--fixtures")
    assert "capture_signal" not in result.stdout.str()
    result = project.runpytest_subprocess("--fixtures")
    assert "capture_signal" in result.stdout.str()
    assert "a ``Capture`` active until the test ends" in result.stdout.str()


def test_the_leak_check_knows_a_weak_bound_method_connected_before(project: pytest.Pytester):
    # Each read of a weak bound method makes a new method object: it is still the same receiver.
    project.makepyfile(
        test_method="""
        from shop_signals import pizza_done


        class Kitchen:
            def on_done(self, **kwargs):
                pass


        KITCHEN = Kitchen()
        pizza_done.connect(KITCHEN.on_done)


        def test_sends():
            pizza_done.send("store")
        """
    )
    project.runpytest("--typedsignals-check-leaks").assert_outcomes(passed=1)
