"""``send`` and ``send_robust`` compiled for a typed signal's payload keys.

``Signal.send(sender, **named)`` builds a dict of the payload on every call
and merges it into every receiver's keyword arguments. A typed signal knows
its payload keys, so its sends are compiled once per tuple of keys, taking
each key as a keyword-only parameter and calling every receiver with the keys
spelled out (``receiver(signal=self, sender=sender, size=size)``): no dict
but the receiver's own ``**kwargs``.

They keep every rule of ``Signal.send``: each receiver is called from the
compiled function's own frame (so ``warnings.warn(stacklevel=)`` in a
receiver points where Django's would), every receiver alive when the send
begins is called, async receivers raise in a running loop before any
receiver runs. Anything the keys alone do not cover (a NotRequired key
absent, an extra key, ``signal=`` in the payload, async receivers) takes
the generic path, inside the same frame, with the payload rebuilt as a dict
(declared keys first, in declaration order, then the others).

**Where they live.** A signal is *specialised* by giving it a subclass of its
own class, made once per class and tuple of keys, whose ``send`` and
``send_robust`` are the compiled ones: from birth for ``Signal[S, P]()``
(``born_class``, called by the alias), at its first connect otherwise
(``specialise``; CPython then gives the instance a ``__dict__``, which slows
its attribute loads a little). Never its instance dict: a method
shadowed in one instance's dict joins the keys every instance of the class
shares, and CPython (3.11+) then stops specialising ``signal.send`` for all
of them (see ``hooks.py``, which swaps classes the same way).

A key that cannot be a parameter name as it is (not an ASCII identifier, a
keyword, ``__debug__``, ``self``, ``sender``, ``signal``, or a name the
compiled code uses) leaves the signal with the generic methods.
"""

from __future__ import annotations

import keyword
import linecache
import sys
import weakref
from collections.abc import Sequence
from types import FunctionType, MethodType
from typing import Any

from . import hooks, signaltypes
from ._utils import resolve, sender_key

__all__ = [
    "SEND_METHODS",
    "SPECIALISED",
    "born_class",
    "compiled_sends",
    "specialise",
    "specialised_class",
    "usable_keys",
]

#: The methods compiled here, as ``Signal`` names them.
SEND_METHODS = ("send", "send_robust")

_PREFIX = "_ts_"  # every name of the compiled code's own starts with it
_INLINED = sys.version_info >= (3, 12)  # PEP 709: a list comprehension runs in its function's frame


class _Missing:
    """The default of a payload key a send did not pass."""

    def __repr__(self) -> str:
        return "<missing payload key>"


_MISSING = _Missing()


def _async_dispatch() -> Any:
    from . import asyncdispatch

    return asyncdispatch


_NAMESPACE: dict[str, Any] = {
    "_ts_MISSING": _MISSING,
    "_ts_MethodType": MethodType,
    "_ts_sender_key": sender_key,
    "_ts_dispatch": _async_dispatch,
    "_ts_call": resolve,
}

# The prologue every compiled send shares: the snapshot of the sender (Signal.send
# inlines the same lookup; with nothing connected it is empty).
_PROLOGUE = """\
    _ts_snapshots = self._snapshots
    _ts_sync, _ts_async = (
        _ts_snapshots.get(
            id(sender) if type(sender) is not _ts_MethodType else _ts_sender_key(sender),
            self._any_snapshot,
        )
        if _ts_snapshots
        else self._any_snapshot
    ) or self._load_snapshot(_ts_sender_key(sender))
    if _ts_async or _ts_named or {missing}:
        _ts_payload = {{}}
{rebuild}
        _ts_payload.update(_ts_named)
        _ts_live_async = (
            _ts_dispatch().live_for_sync_send(_ts_async, self) if _ts_async else None
        )
        _ts_responses = []
        for _ts_r in [_ts_r for _ts_d in _ts_sync if (_ts_r := _ts_d()) is not None]:
{generic_call}
        if _ts_live_async:
            _ts_responses += _ts_dispatch().send_from_sync(
                _ts_live_async, self, sender, _ts_payload, {log}
            )
        return _ts_responses
"""

_SEND = """\
def send(self, sender, *, {params}, **_ts_named):
{prologue}\
    if len(_ts_sync) == 1:
        _ts_r = _ts_sync[0]()
        if _ts_r is None:
            return []
        return [(_ts_r, _ts_r(signal=self, sender=sender, {spelled}))]
{loop}"""

# Every receiver alive when the send begins is called, even one that an
# earlier receiver lets die: all are resolved first.
_SEND_LOOP_INLINED = """\
    return [
        (_ts_r, _ts_r(signal=self, sender=sender, {spelled}))
        for _ts_r in [_ts_d() for _ts_d in _ts_sync]
        if _ts_r is not None
    ]
"""
_SEND_LOOP = """\
    _ts_responses = []
    for _ts_r in {resolved}:
        if _ts_r is not None:
            _ts_responses.append((_ts_r, _ts_r(signal=self, sender=sender, {spelled})))
    return _ts_responses
"""

_ROBUST = """\
def send_robust(self, sender, *, {params}, **_ts_named):
{prologue}\
    if len(_ts_sync) == 1:
        _ts_r = _ts_sync[0]()
        if _ts_r is None:
            return []
        try:
            return [(_ts_r, _ts_r(signal=self, sender=sender, {spelled}))]
        except Exception as _ts_err:
            self._log_robust_failure(_ts_r, _ts_err)
            return [(_ts_r, _ts_err)]
    _ts_responses = []
    for _ts_r in {resolved}:
        if _ts_r is not None:
            try:
                _ts_response = _ts_r(signal=self, sender=sender, {spelled})
            except Exception as _ts_err:
                self._log_robust_failure(_ts_r, _ts_err)
                _ts_response = _ts_err
            _ts_responses.append((_ts_r, _ts_response))
    return _ts_responses
"""

_GENERIC_SEND_CALL = """\
            _ts_responses.append((_ts_r, _ts_r(signal=self, sender=sender, **_ts_payload)))"""
_GENERIC_ROBUST_CALL = """\
            try:
                _ts_response = _ts_r(signal=self, sender=sender, **_ts_payload)
            except Exception as _ts_err:
                self._log_robust_failure(_ts_r, _ts_err)
                _ts_response = _ts_err
            _ts_responses.append((_ts_r, _ts_response))"""

_compiled: dict[tuple[str, ...], tuple[FunctionType, FunctionType]] = {}


def usable_keys(keys: Sequence[str]) -> bool:
    """Whether every payload key can be a parameter name of the compiled sends, as it is."""
    return bool(keys) and all(
        key.isascii()  # NFKC leaves ASCII identifiers as they are
        and key.isidentifier()
        and not keyword.iskeyword(key)
        and key not in ("__debug__", "self", "sender", "signal")
        and not key.startswith(_PREFIX)
        for key in keys
    )


def _source(keys: tuple[str, ...], template: str, generic_call: str, log: str) -> str:
    spelled = ", ".join(f"{key}={key}" for key in keys)
    # Resolved all at once without a frame of its own: an inlined comprehension
    # on 3.12+, in C (_utils.resolve) before; the loops skip the dead.
    resolved = "[_ts_d() for _ts_d in _ts_sync]" if _INLINED else "[*map(_ts_call, _ts_sync)]"
    prologue = _PROLOGUE.format(
        missing=" or ".join(f"{key} is _ts_MISSING" for key in keys),
        rebuild="\n".join(
            f"        if {key} is not _ts_MISSING:\n            _ts_payload[{key!r}] = {key}"
            for key in keys
        ),
        generic_call=generic_call,
        log=log,
    )
    loop = (_SEND_LOOP_INLINED if _INLINED else _SEND_LOOP).format(
        spelled=spelled, resolved=resolved
    )
    return template.format(
        params=", ".join(f"{key}=_ts_MISSING" for key in keys),
        prologue=prologue,
        spelled=spelled,
        loop=loop,
        resolved=resolved,
    )


def _compile(keys: tuple[str, ...], name: str, source: str, generic: Any) -> FunctionType:
    filename = f"<typedsignals.{name} for payload keys {', '.join(keys)}>"
    namespace = dict(_NAMESPACE)
    exec(compile(source, filename, "exec"), namespace)
    func: FunctionType = namespace[name]
    func.__qualname__ = generic.__qualname__  # so argument errors read as the generic's
    if sys.version_info >= (3, 11):
        func.__code__ = func.__code__.replace(co_qualname=generic.__qualname__)
    func.__module__ = generic.__module__
    func.__doc__ = generic.__doc__
    # Tracebacks through a compiled send show its source.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return func


def compiled_sends(keys: tuple[str, ...], generic: type) -> tuple[FunctionType, FunctionType]:
    """``send`` and ``send_robust`` for these payload keys (compiled once per tuple of keys).

    Arguments:

        keys
            The payload keys, in declaration order (``usable_keys``).

        generic
            ``Signal``, whose methods lend their names and docstrings.
    """
    found = _compiled.get(keys)
    if found is None:
        methods: Any = generic
        send = _compile(
            keys, "send", _source(keys, _SEND, _GENERIC_SEND_CALL, "None"), methods.send
        )
        robust = _compile(
            keys,
            "send_robust",
            _source(keys, _ROBUST, _GENERIC_ROBUST_CALL, "self._log_robust_failure"),
            methods.send_robust,
        )
        found = _compiled[keys] = (send, robust)
    return found


#: The attribute a specialised class has in its own ``__dict__``: the class it specialises.
SPECIALISED = "_typedsignals_specialises"

_classes: weakref.WeakKeyDictionary[type, dict[tuple[str, ...], type]] = (
    weakref.WeakKeyDictionary()
)


def specialised_class(cls: type, keys: tuple[str, ...], generic: type) -> type | None:
    """The subclass of ``cls`` whose sends are compiled for ``keys``, or None.

    Made once per class and tuple of keys, and named as ``cls`` is, so that
    messages and reprs are unchanged. None when ``cls`` overrides both
    ``send`` and ``send_robust`` (a method of its own is kept).

    Arguments:

        cls
            The signal's class (``Signal`` or a subclass).

        keys
            The payload keys, in declaration order (``usable_keys``).

        generic
            ``Signal``, whose methods lend their names and docstrings.
    """
    made = _classes.setdefault(cls, {})
    found = made.get(keys)
    if found is None:
        body: dict[str, Any] = {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
            SPECIALISED: cls,
        }
        for name, func in zip(SEND_METHODS, compiled_sends(keys, generic), strict=True):
            if getattr(cls, name) is getattr(generic, name):
                body[name] = func
        if len(body) == 4:
            return None
        found = made[keys] = type(cls.__name__, (cls,), body)
    return found


def born_class(cls: type, args: tuple[object, ...], generic: type) -> type:
    """The class a signal ``cls[*args]()`` is created with: the specialised one if it can be.

    Created with it, the signal never swaps its class at its first connect,
    which on every Python gives the instance a ``__dict__`` (slower attribute
    and method loads, on 3.13 most). ``cls`` itself for what ``specialise``
    would leave generic.

    Arguments:

        cls
            The class subscripted (``Signal`` or a subclass), created without
            ``validate=True``.

        args
            Its type arguments, e.g. ``(Store, PizzaDone)``.

        generic
            ``Signal``, whose methods lend their names and docstrings.
    """
    try:
        fields = signaltypes.declared_types(cls, args).fields
    except Exception:  # not a payload the signal would accept: its first connect says so
        return cls
    keys = tuple(fields) if fields else ()
    if not usable_keys(keys):
        return cls
    return specialised_class(cls, keys, generic) or cls


def specialise(signal: Any, generic: type) -> bool:
    """Give a typed signal the sends compiled for its payload keys; whether it is settled.

    True once it is specialised or cannot be (untyped, unknown or unusable
    keys, ``validate=True``, whose generic send checks the payload, or a class
    overriding both sends); False while it is intercepted (``hooks.py``
    swaps its class then): the caller tries again at its next connect.

    Arguments:

        signal
            A ``Signal``.

        generic
            ``Signal`` itself.
    """
    cls: type = signal.__class__
    if hooks.interceptors(signal):
        return False
    if SPECIALISED in cls.__dict__:
        return True
    fields = signaltypes.signal_types(signal).fields
    keys = tuple(fields) if fields else ()
    if signal.validate or not usable_keys(keys):
        return True
    special = specialised_class(cls, keys, generic)
    return special is None or hooks.replace_class(signal, special)
