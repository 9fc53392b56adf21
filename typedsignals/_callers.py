"""Dispatch loops specialised to the payload's keyword names.

``r(signal=s, sender=x, **named)`` builds a dict for every receiver it calls
and unpacks it again; that is most of what a send costs. A call that spells
its keywords out, ``r(signal=s, sender=x, value=value)``, passes them in the
fast vectorcall convention with no dict at all, some twice as fast. So, for
each ordered tuple of payload keys a program sends, one loop is compiled that
spells them out, and is reused by every signal.

Every loop resolves the weak references first, as Django does: a dispatch
calls the receivers that were alive when it began, even one that an earlier
receiver lets die.

Keys that cannot be spelled (not identifiers, keywords, ``signal``, or names
the loop uses itself) fall back to the generic loop, which behaves exactly as
Django's (``signal=`` in the payload is the receiver's ``TypeError``).
"""

from __future__ import annotations

import keyword
import threading
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["robust_caller", "send_caller"]

Deref = Callable[[], Any]
Pairs = list[tuple[Callable[..., Any], Any]]
Caller = Callable[..., Pairs]

#: Bound on the loops kept per kind: a program sends a handful of key sets.
MAX_CALLERS = 256

_PREFIX = "_ts_"


def _generic_send(
    _ts_derefs: Sequence[Deref], _ts_signal: object, _ts_sender: object, /, **named: Any
) -> Pairs:
    live = [r for deref in _ts_derefs if (r := deref()) is not None]
    return [(r, r(signal=_ts_signal, sender=_ts_sender, **named)) for r in live]


def _generic_robust(
    _ts_derefs: Sequence[Deref],
    _ts_signal: object,
    _ts_sender: object,
    _ts_failed: Callable[[object, Exception], None],
    /,
    **named: Any,
) -> Pairs:
    responses: Pairs = []
    for r in [r for deref in _ts_derefs if (r := deref()) is not None]:
        try:
            response = r(signal=_ts_signal, sender=_ts_sender, **named)
        except Exception as err:
            _ts_failed(r, err)
            response = err
        responses.append((r, response))
    return responses


_SEND = """\
def send(_ts_derefs, _ts_signal, _ts_sender, /{params}):
    _ts_live = [_ts_r for _ts_deref in _ts_derefs if (_ts_r := _ts_deref()) is not None]
    return [(_ts_r, _ts_r(signal=_ts_signal, sender=_ts_sender{args})) for _ts_r in _ts_live]
"""

_ROBUST = """\
def send_robust(_ts_derefs, _ts_signal, _ts_sender, _ts_failed, /{params}):
    _ts_responses = []
    for _ts_r in [_ts_r for _ts_deref in _ts_derefs if (_ts_r := _ts_deref()) is not None]:
        try:
            _ts_response = _ts_r(signal=_ts_signal, sender=_ts_sender{args})
        except Exception as _ts_err:
            _ts_failed(_ts_r, _ts_err)
            _ts_response = _ts_err
        _ts_responses.append((_ts_r, _ts_response))
    return _ts_responses
"""


def _spellable(keys: tuple[str, ...]) -> bool:
    return all(
        type(key) is str
        and key.isidentifier()
        and not keyword.iskeyword(key)
        and key not in ("signal", "sender")
        and not key.startswith(_PREFIX)
        for key in keys
    )


def _compile(template: str, keys: tuple[str, ...], name: str) -> Caller:
    params = (", *, " + ", ".join(keys)) if keys else ""
    args = "".join(f", {key}={key}" for key in keys)
    namespace: dict[str, Any] = {}
    exec(template.format(params=params, args=args), namespace)
    caller: Caller = namespace[name]
    return caller


class _Callers:
    def __init__(self, template: str, name: str, generic: Caller) -> None:
        self.template = template
        self.name = name
        self.generic = generic
        self.by_keys: dict[tuple[str, ...], Caller] = {}
        self.lock = threading.Lock()

    def __call__(self, keys: tuple[str, ...]) -> Caller:
        """The loop for ``keys`` (a cache miss: ``by_keys.get`` is the fast path)."""
        with self.lock:
            caller = self.by_keys.get(keys)
            if caller is None:
                if len(self.by_keys) >= MAX_CALLERS:
                    return self.generic
                if _spellable(keys):
                    caller = _compile(self.template, keys, self.name)
                else:
                    caller = self.generic
                self.by_keys[keys] = caller
            return caller


send_caller = _Callers(_SEND, "send", _generic_send)
robust_caller = _Callers(_ROBUST, "send_robust", _generic_robust)
