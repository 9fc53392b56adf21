"""typedsignals.django.swap.install(): in fresh interpreters with Django 5.2 and 6.1.

Each case runs a short script in the compat venv of a Django series: the
swap changes process-wide state, so never in pytest's own process.
(tests/test_swap_without_django.py covers a machine without Django.)
"""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from tests.support.venvs import python_in, venv

from .django_runtests import SERIES, django_suite

pytestmark = [pytest.mark.compat, pytest.mark.timeout(900)]


def _python(series: str, script: str, cwd=None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(django_suite(series).python), "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )
    return done


@pytest.mark.parametrize("series", SERIES)
def test_every_signal_django_makes_after_install_is_typedsignals(series):
    done = _python(
        series,
        """
        from typedsignals.django import swap
        assert not swap.installed()
        swap.install()
        swap.install()  # idempotent
        assert swap.installed()

        import django.dispatch, django.dispatch.dispatcher, typedsignals
        from django.conf import settings
        settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"])
        import django
        django.setup()
        from django.contrib.auth import signals as auth_signals
        from django.core import signals as core_signals
        from django.db.models import signals as model_signals
        from django.test import signals as test_signals

        assert django.dispatch.Signal is django.dispatch.dispatcher.Signal is typedsignals.Signal
        assert django.dispatch.receiver is typedsignals.receiver
        assert django.dispatch.dispatcher.receiver is typedsignals.receiver
        assert issubclass(model_signals.ModelSignal, typedsignals.Signal)
        for module in (auth_signals, core_signals, model_signals):
            for name, value in vars(module).items():
                if name.endswith(("_save", "_delete", "_init", "_changed", "_started",
                                  "_finished", "_exception", "logged_in", "_failed")):
                    assert isinstance(value, typedsignals.Signal), (module, name, value)
        # Django's own receivers are connected and checked: override_settings reaches them.
        assert core_signals.setting_changed.has_listeners()
        from django.contrib.auth.models import User
        seen = []
        @django.dispatch.receiver(model_signals.post_init, sender="auth.User")
        def on_init(sender, instance, **kwargs):
            seen.append((sender, type(instance)))
        User(username="x")
        assert seen == [(User, User)], seen
        print("ok")
        """,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


@pytest.mark.parametrize("series", SERIES)
def test_install_after_django_made_its_signals_names_the_modules_and_changes_nothing(series):
    done = _python(
        series,
        """
        import django.core.management  # imports django.core.signals, django.utils.autoreload
        import django.dispatch
        from django.dispatch import dispatcher
        django_signal = django.dispatch.Signal
        from typedsignals.django import swap
        try:
            swap.install()
        except swap.SwapError as error:
            print(error)
        assert django.dispatch.Signal is django_signal is dispatcher.Signal
        assert not swap.installed()
        """,
    )
    assert done.returncode == 0, done.stderr
    message = done.stdout
    assert "install() was called after these modules had made signals" in message
    assert "django.core.signals (Signal, got_request_exception, request_finished" in message
    assert "django.utils.autoreload (Signal, autoreload_started, file_changed" in message
    assert "first thing in manage.py" in message


@pytest.mark.parametrize("series", SERIES)
def test_a_project_module_holding_djangos_class_is_named(series, tmp_path):
    (tmp_path / "early.py").write_text("from django.dispatch import Signal\n")
    done = _python(
        series,
        """
        import early
        from typedsignals.django import swap
        swap.install()
        """,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert "SwapError" in done.stderr and "early (Signal)" in done.stderr, done.stderr


@pytest.mark.parametrize("series", SERIES)
def test_install_leaves_lazy_settings_alone(series):
    # django.conf.settings, imported but not configured, must not be set up by
    # install()'s search for Django signals (that would need DJANGO_SETTINGS_MODULE).
    done = _python(
        series,
        """
        from django.conf import settings
        from typedsignals.django import swap
        swap.install()
        assert not settings.configured
        print("ok")
        """,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


PYTEST_DJANGO_PROJECT = {
    "settings.py": """\
SECRET_KEY = "compat"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
""",
    "swap_signals.py": "from typedsignals.django import swap\n\nswap.install()\n",
    "test_swapped.py": """\
import typedsignals
from django.db.models.signals import post_save


def test_django_signals_are_typedsignals():
    assert isinstance(post_save, typedsignals.Signal)
""",
}


def test_under_pytest_django_a_p_plugin_installs_in_time_and_conftest_is_too_late(tmp_path):
    # README's advice for pytest-django projects, checked.
    env = venv(
        "3.13", ["django==6.1.*", "pytest>=8", "pytest-django>=4.9"], name="compat-pytest-django"
    )
    for name, text in PYTEST_DJANGO_PROJECT.items():
        (tmp_path / name).write_text(text)
    command = [str(python_in(env)), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--ds=settings"]

    def pytest_in_project(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    done = pytest_in_project("-p", "swap_signals")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr
    (tmp_path / "conftest.py").write_text("import swap_signals\n")
    done = pytest_in_project()
    assert done.returncode != 0
    assert "SwapError" in done.stdout + done.stderr, done.stdout + done.stderr
    assert "'pytest -p'" in done.stdout + done.stderr
