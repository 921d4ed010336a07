"""The PromQL functions and their signatures, for placing type errors at the argument Prometheus names.

Facts from Prometheus' function list, as far as promql-parser knows them (its 3.x additions included,
holt_winters renamed double_exponential_smoothing); tests/test_promql_locate.py proves every entry
against promql-parser's own description of the function.
"""

from __future__ import annotations

from dataclasses import dataclass

V, M, S, STR = "vector", "matrix", "scalar", "string"


@dataclass(frozen=True, slots=True)
class Signature:
    args: tuple[str, ...]
    variadic: int  # 0: exactly args; n > 0: the last one up to n times more or left out; -1: any number
    returns: str


def _sig(args: str, variadic: int = 0, returns: str = V) -> Signature:
    names = {"v": V, "m": M, "s": S, "t": STR}
    return Signature(tuple(names[a] for a in args), variadic, returns)


_MATH = "abs ceil exp floor ln log10 log2 sgn sqrt deg rad sort sort_desc timestamp absent"
_TRIG = "acos acosh asin asinh atan atanh cos cosh sin sinh tan tanh"
_OVER_TIME = "avg min max sum count stddev stdvar last present absent first mad ts_of_max ts_of_min ts_of_last"
_OVER_TIME += " ts_of_first"
_HISTOGRAM = "histogram_count histogram_sum histogram_avg histogram_stddev histogram_stdvar"
_RANGE = "changes delta deriv idelta increase irate rate resets"
_CALENDAR = "days_in_month day_of_month day_of_week day_of_year hour minute month year"

FUNCTIONS: dict[str, Signature] = {
    **{name: _sig("v") for name in f"{_MATH} {_TRIG} {_HISTOGRAM}".split()},
    **{f"{name}_over_time": _sig("m") for name in _OVER_TIME.split()},
    **{name: _sig("m") for name in _RANGE.split()},
    **{name: _sig("v", 1) for name in _CALENDAR.split()},
    "clamp": _sig("vss"),
    "clamp_max": _sig("vs"),
    "clamp_min": _sig("vs"),
    "histogram_fraction": _sig("ssv"),
    "histogram_quantile": _sig("sv"),
    "double_exponential_smoothing": _sig("mss"),
    "info": _sig("vv", 1),
    "label_join": _sig("vttt", -1),
    "label_replace": _sig("vtttt"),
    "pi": _sig("", 0, S),
    "predict_linear": _sig("ms"),
    "quantile_over_time": _sig("sm"),
    "round": _sig("vs", 1),
    "scalar": _sig("v", 0, S),
    "sort_by_label": _sig("vt", -1),
    "sort_by_label_desc": _sig("vt", -1),
    "time": _sig("", 0, S),
    "vector": _sig("s"),
}
