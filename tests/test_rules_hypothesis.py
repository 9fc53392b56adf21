"""Generated receivers and payloads: the validator never crashes, and rules 1, 3 and 5
agree exactly with whether Python can bind every call the dispatcher can make."""

from __future__ import annotations

import inspect
import itertools
from typing import Any, Optional

from hypothesis import given, settings
from hypothesis import strategies as st
from typing_extensions import NotRequired, TypedDict

from typedsignals import ReceiverError, Signal
from typedsignals.rules import KWARGS, POSITIONAL_ONLY, UNKNOWN_PARAMETER

KEYS = ["size", "toppings", "note", "colour"]
NAMES = ["signal", "sender", *KEYS, "other"]
EXTRA = "zz_extra_key"  # a key a future version of the signal might add
KINDS = [
    inspect.Parameter.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    inspect.Parameter.KEYWORD_ONLY,
]
ANNOTATIONS = ["", "int", "str", "object", "Any", "Optional[int]", "list[str]", "list[int]",
               "float", "Store", "type[Store]", "'Nowhere'", "int | None", "dict[str, Any]"]


class Store:
    pass


@st.composite
def payloads(draw: st.DrawFn) -> dict[str, bool]:
    """Payload keys, each Required (True) or NotRequired (False)."""
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=4))
    return {k: draw(st.booleans()) for k in keys}


@st.composite
def receiver_sources(draw: st.DrawFn, annotated: bool = False) -> str:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=5))
    params = []
    for name in names:
        kind = draw(st.sampled_from(KINDS))
        default = draw(st.booleans())
        ann = draw(st.sampled_from(ANNOTATIONS)) if annotated else ""
        params.append((kind, name, ann, default))
    # Python's order: positional-only, then positional-or-keyword, then keyword-only;
    # after a default, positional ones need defaults too.
    params.sort(key=lambda p: KINDS.index(p[0]))
    text, seen_default, star = [], False, False
    for kind, name, ann, default in params:
        if kind is not inspect.Parameter.KEYWORD_ONLY and seen_default:
            default = True
        seen_default |= default and kind is not inspect.Parameter.KEYWORD_ONLY
        if kind is inspect.Parameter.KEYWORD_ONLY and not star:
            text.append("*args" if draw(st.booleans()) else "*")
            star = True
        piece = name + (f": {ann}" if ann else "") + (" = None" if default else "")
        text.append(piece)
        if kind is inspect.Parameter.POSITIONAL_ONLY and (
            len(text) == len([p for p in params if p[0] is kind])
        ):
            text.append("/")
    if text and text[-1] == "*":
        text.pop()
    if draw(st.booleans()):
        text.append("**kwargs")
    return f"def r({', '.join(text)}): return None"


def build(source: str) -> Any:
    namespace: dict[str, Any] = {"Any": Any, "Optional": Optional, "Store": Store}
    exec(source, namespace)
    return namespace["r"]


def payload_type(shape: dict[str, bool]) -> Any:
    return TypedDict(  # type: ignore[operator]
        "Payload", {k: (int if req else NotRequired[int]) for k, req in shape.items()}
    )


def sendable(shape: dict[str, bool]) -> list[dict[str, int]]:
    required = [k for k, req in shape.items() if req]
    optional = [k for k, req in shape.items() if not req]
    calls = []
    for n in range(len(optional) + 1):
        for subset in itertools.combinations(optional, n):
            calls.append(dict.fromkeys([*required, *subset], 1))
    return calls


def binds_every_call(func: Any, shape: dict[str, bool]) -> bool:
    """Whether every call the dispatcher can make binds (plus one key added later).

    The generated functions do nothing, so they are called for real:
    ``Signature.bind`` (3.10 to 3.12 at least) refuses a keyword that
    ``**kwargs`` would absorb when a positional-only parameter has its name.
    """
    signature = inspect.signature(func)
    for payload in sendable(shape):
        for extra in ({}, {EXTRA: 1}):
            kwargs = {"signal": 0, "sender": 0, **payload, **extra}
            try:
                func(**kwargs)
            except TypeError:
                return False
            try:
                signature.bind(**kwargs)
            except TypeError:
                # Only the known bind defect may disagree with the real call.
                positional_only = {
                    p.name for p in signature.parameters.values()
                    if p.kind is inspect.Parameter.POSITIONAL_ONLY
                }
                assert positional_only & set(kwargs)
    return True


@settings(max_examples=400, deadline=None)
@given(source=receiver_sources(), shape=payloads())
def test_rules_1_3_5_agree_with_bind(source: str, shape: dict[str, bool]) -> None:
    func = build(source)
    sig = Signal[Store, payload_type(shape)]()
    try:
        sig.connect(func, weak=False)
        refused_ids: set[str] = set()
    except ReceiverError as err:
        refused_ids = {v.rule.id for v in err.violations}
    assert refused_ids <= {KWARGS.id, UNKNOWN_PARAMETER.id, POSITIONAL_ONLY.id}, source
    assert (not refused_ids) == binds_every_call(func, shape), (source, shape, refused_ids)
    if refused_ids:
        assert sig.receivers == []


@settings(max_examples=300, deadline=None)
@given(source=receiver_sources(annotated=True), shape=payloads(),
       sender=st.sampled_from([None, Store(), Store, 3]))
def test_validator_never_crashes(source: str, shape: dict[str, bool], sender: Any) -> None:
    func = build(source)
    sig = Signal[Store, payload_type(shape)]()
    try:
        sig.connect(func, sender=sender, weak=False)
    except ReceiverError as err:
        assert err.violations
        assert "Receiver" in str(err)
