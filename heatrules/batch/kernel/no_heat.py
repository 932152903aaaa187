"""No-heat refunds: double per day for supplier-caused non-supply, single per full day otherwise.

The compiled twin of :mod:`heatrules.refunds.no_heat` — FEE art. 15 (REG art. 23) and FEE
art. 16; algorithm rules.md §4.1 [decision]. An account's intervals (its own no-heat rows, the
supply it did not get at the season's ends, its station's outages) are clipped to its supplied
season, sorted, and merged into continuous outages (touching intervals merge); the supplier
hours of an outage are the length of the union of its supplier intervals (part day per
``refund.supplier.part_day``), the rest are other hours (``refund.other.part_day``), days of
``refund.day_hours``; each outage gives up to two lines.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .arith import NONE, part_days, rdiv_parts
from .params import DAY_US, OTH_CEIL, OTH_MULT, PERIOD_END, PERIOD_START, SUP_CEIL, SUP_MULT


@njit(cache=True, inline="always")
def _push(s, e, sup, k, start, end, supplier, s_us, e_us):  # type: ignore[no-untyped-def]
    """Append ``[start, end)`` clipped to ``[s_us, e_us)`` when not empty; the new count."""
    a = max(start, s_us)
    b = min(end, e_us)
    if b > a:
        s[k] = a
        e[k] = b
        sup[k] = supplier
        return k + 1
    return k


@njit(cache=True)
def gather_intervals(  # type: ignore[no-untyped-def]
    P,
    si,
    s_us,
    e_us,
    started,
    stopped,
    own_lo,
    own_hi,
    own_start,
    own_end,
    own_sup,
    st_lo,
    st_hi,
    st_start,
    st_end,
    st_sup,
    s,
    e,
    sup,
):
    """The account's no-heat intervals clipped to its supplied season, sorted by start.

    The supply it did not get (``supply.started_at`` after the season's start, ``stopped_at``
    before its end) is supplier-caused (rules.md §4.1). Returns their number; the intervals
    are sorted by (start, end).
    """
    k = 0
    for j in range(own_lo, own_hi):
        k = _push(s, e, sup, k, own_start[j], own_end[j], own_sup[j], s_us, e_us)
    if started != NONE and started > P[si, PERIOD_START]:
        k = _push(s, e, sup, k, P[si, PERIOD_START], started, True, s_us, e_us)
    if stopped != NONE and stopped < P[si, PERIOD_END]:
        k = _push(s, e, sup, k, stopped, P[si, PERIOD_END], True, s_us, e_us)
    for j in range(st_lo, st_hi):
        k = _push(s, e, sup, k, st_start[j], st_end[j], st_sup[j], s_us, e_us)
    for m in range(1, k):  # insertion sort by (start, end): a handful of intervals per account
        a, b, c = s[m], e[m], sup[m]
        p = m - 1
        while p >= 0 and (s[p] > a or (s[p] == a and e[p] > b)):
            s[p + 1] = s[p]
            e[p + 1] = e[p]
            sup[p + 1] = sup[p]
            p -= 1
        s[p + 1] = a
        e[p + 1] = b
        sup[p + 1] = c
    return k


@njit(cache=True)
def continuous_outages(s, e, sup, k, cs, ce, hs):  # type: ignore[no-untyped-def]
    """Merge sorted intervals into continuous outages ``[cs, ce)`` with supplier length ``hs``.

    A new outage starts where an interval starts after every earlier end; the supplier
    intervals are united the same way, and every united supplier piece lies inside exactly
    one outage. Returns the number of outages.
    """
    n = 0
    run_end = 0
    open_piece = False
    piece_s = 0
    piece_e = 0
    for j in range(k):
        if n == 0 or s[j] > run_end:
            if open_piece:
                hs[n - 1] += piece_e - piece_s
                open_piece = False
            cs[n] = s[j]
            hs[n] = 0
            run_end = e[j]
            n += 1
        elif e[j] > run_end:
            run_end = e[j]
        ce[n - 1] = run_end
        if sup[j]:
            if open_piece and s[j] <= piece_e:
                if e[j] > piece_e:
                    piece_e = e[j]
            else:
                if open_piece:
                    hs[n - 1] += piece_e - piece_s
                open_piece = True
                piece_s = s[j]
                piece_e = e[j]
    if open_piece:
        hs[n - 1] += piece_e - piece_s
    return n


@njit(cache=True)
def separate_outages(s, e, sup, k, cs, ce, hs):  # type: ignore[no-untyped-def]
    """Every interval an outage of its own (policy switch ``no_union``, :mod:`.policy`).

    Its whole length is supplier hours for a supplier interval, else other hours; the
    temperature refunds still subtract the united outages. Returns the number of outages.
    """
    for j in range(k):
        cs[j] = s[j]
        ce[j] = e[j]
        hs[j] = e[j] - s[j] if sup[j] else 0
    return k


@njit(cache=True)
def outage_days(P, si, cs, ce, hs, n_out, sd, od):  # type: ignore[no-untyped-def]
    """Supplier and other days of each outage per the season's part-day rules (−1: no such hours).

    An outage with supplier hours gives a supplier line (``sd ≥ 0``), one with other hours a
    facility line (``od ≥ 0``), even when a part day rounds to 0 days.
    """
    day = P[si, DAY_US]
    sup_ceil = P[si, SUP_CEIL] == 1
    oth_ceil = P[si, OTH_CEIL] == 1
    for o in range(n_out):
        h_o = ce[o] - cs[o] - hs[o]
        sd[o] = part_days(hs[o], day, sup_ceil) if hs[o] > 0 else -1
        od[o] = part_days(h_o, day, oth_ceil) if h_o > 0 else -1


@njit(cache=True)
def station_profiles(P, g_season, st_off, st_start, st_end, st_sup, max_iv):  # type: ignore[no-untyped-def]
    """The continuous outages of each station group over the whole season, computed once.

    Accounts supplied the whole season with no no-heat facts of their own share them (their
    intervals are exactly the station's). Outages of group g sit at ``st_off[g]`` (a group
    has no more outages than intervals); returns (count, cs, ce, hs, sd, od).
    """
    m = len(st_start)
    n_g = len(st_off) - 1
    count = np.zeros(n_g, dtype=np.int64)
    cs = np.empty(m, dtype=np.int64)
    ce = np.empty(m, dtype=np.int64)
    hs = np.empty(m, dtype=np.int64)
    sd = np.empty(m, dtype=np.int64)
    od = np.empty(m, dtype=np.int64)
    s = np.empty(max_iv, dtype=np.int64)
    e = np.empty(max_iv, dtype=np.int64)
    sup = np.empty(max_iv, dtype=np.bool_)
    empty_i = np.empty(0, dtype=np.int64)
    empty_b = np.empty(0, dtype=np.bool_)
    for g in range(n_g):
        si = g_season[g]
        lo = st_off[g]
        k = gather_intervals(
            P,
            si,
            P[si, PERIOD_START],
            P[si, PERIOD_END],
            NONE,
            NONE,
            0,
            0,
            empty_i,
            empty_i,
            empty_b,
            lo,
            st_off[g + 1],
            st_start,
            st_end,
            st_sup,
            s,
            e,
            sup,
        )
        n = continuous_outages(s, e, sup, k, cs[lo:], ce[lo:], hs[lo:])
        outage_days(P, si, cs[lo:], ce[lo:], hs[lo:], n, sd[lo:], od[lo:])
        count[g] = n
    return count, cs, ce, hs, sd, od


@njit(cache=True, inline="always")
def supplier_refund(P, si, d_qt, d_rm, days, d_den):  # type: ignore[no-untyped-def]
    """``refund.supplier_outage`` of one outage: multiplier × days × daily fee d.

    d = d_num / d_den fen, given as d_num's quotient and remainder by d_den.
    """
    return rdiv_parts(d_qt, d_rm, P[si, SUP_MULT] * days, d_den)


@njit(cache=True, inline="always")
def facility_refund(P, si, d_qt, d_rm, days, d_den):  # type: ignore[no-untyped-def]
    """``refund.facility_outage`` of one outage: multiplier × full days × daily fee d.

    d = d_num / d_den fen, given as d_num's quotient and remainder by d_den.
    """
    return rdiv_parts(d_qt, d_rm, P[si, OTH_MULT] * days, d_den)
