"""One compiled pass over the accounts: every line of every bill (rules.md §3–§8).

:func:`bill_accounts` walks the accounts in parallel chunks and, for each, calls the rule
functions of the sibling modules in bill order — context, tariffs, cut-off, no-heat refunds,
temperature refunds, widow waiver, late fee, payments, totals. Events reach their account by
CSR offsets (``*_off[i]:*_off[i + 1]``); station outages by the account's station group, whose
continuous outages over the whole season are united once (:func:`.no_heat.station_profiles`)
and shared by the accounts supplied the whole season with no no-heat facts of their own.

Outputs: ``B[column, account]`` — the totals (:data:`TOTALS`) then every line code's signed
sum in :data:`~.codes.CODES` order —, ``present[account]`` (bit c set when the account has a
line of code c, even 0.00), ``D`` (days connected and cut off), per temperature record (fen,
days, why), and with ``emit`` the per-outage no-heat lines at ``nh_off[i]``. ``S`` holds the
policy's internal switches (:mod:`.policy`): divisor days, daily fee rounded first,
temperature part day ceil, no union.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .arith import NONE
from .context import account_context, connected_fee, per_day, refund_daily_fee
from .cutoff import cutoff_compensation
from .late_payment import late_fee, owed_at_due
from .no_heat import (
    continuous_outages,
    facility_refund,
    gather_intervals,
    outage_days,
    separate_outages,
    supplier_refund,
)
from .params import PERIOD_END, PERIOD_START, WIDOW_WITH
from .tariffs import area_fee, metered_base, metered_energy, suspension_compensation
from .temperature import record_refund, room_daily_fee
from .waivers import cadre_widow_waiver

TOTALS = ("charges", "refunds", "waivers", "late_fees", "payments", "balance")
# line codes, as their index in CODES
AREA, BASE, ENERGY, SUSP, LATE, CUTOFF, SUPPLIER, FACILITY, TEMP, WIDOW, PAYMENT = range(11)
N_TOTALS = len(TOTALS)
CHUNK = 4096
"""Accounts per parallel work item (each with its own scratch space)."""


@njit(cache=True, inline="always")
def _line(B, present, c, i, fen, sign):  # type: ignore[no-untyped-def]
    """Store line code c of account i (NONE: absent, 0 on the bill); return its fen (or 0)."""
    if fen != NONE:
        B[N_TOTALS + c, i] = sign * fen
        if len(present):
            present[i] |= 1 << c
        return fen
    B[N_TOTALS + c, i] = 0
    return 0


@njit(cache=True, parallel=True)
def bill_accounts(  # type: ignore[no-untyped-def]
    P,
    b_off,
    b_above,
    b_upto,
    b_rate,
    S,
    sidx,
    residential,
    metered,
    area,
    kwh,
    suspension,
    connected_on,
    cutoff_from,
    started,
    stopped,
    waiver,
    has_children,
    as_of,
    late_rate,
    group,
    own_off,
    own_start,
    own_end,
    own_sup,
    st_off,
    st_start,
    st_end,
    st_sup,
    g_count,
    g_cs,
    g_ce,
    g_sd,
    g_od,
    t_off,
    t_measured,
    t_restored,
    t_next,
    t_celsius,
    t_standard,
    t_area,
    t_deemed,
    t_fault,
    pay_off,
    pay_date,
    pay_amount,
    max_iv,
    max_pay,
    emit,
    nh_off,
    B,
    present,
    D,
    t_fen,
    t_days,
    t_why,
    nh_count,
    nh_seq,
    nh_fen,
    nh_days,
):
    """Bill accounts ``0 … n − 1`` into the output arrays (see the module docstring)."""
    divisor_days, rounded_first, temperature_ceil, no_union = S[0], S[1] != 0, S[2] != 0, S[3] != 0
    n = len(sidx)
    keep_lines = len(present) > 0  # the lines pass needs present, D and nh_count
    n_chunks = (n + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        s = np.empty(max_iv, dtype=np.int64)
        e = np.empty(max_iv, dtype=np.int64)
        sup = np.empty(max_iv, dtype=np.bool_)
        cs = np.empty(max_iv, dtype=np.int64)
        ce = np.empty(max_iv, dtype=np.int64)
        hs = np.empty(max_iv, dtype=np.int64)
        rcs = np.empty(max_iv, dtype=np.int64)
        rce = np.empty(max_iv, dtype=np.int64)
        rhs = np.empty(max_iv, dtype=np.int64)
        sd = np.empty(max_iv, dtype=np.int64)
        od = np.empty(max_iv, dtype=np.int64)
        idx = np.empty(max_pay, dtype=np.int64)
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            si = sidx[i]
            cat = 0 if residential[i] else 1
            live = suspension[i] == 0
            _conn, cut, cd, cut_days, s_us, e_us, ap_area, ap_day, p_day, q_n, due = (
                account_context(
                    P,
                    si,
                    residential[i],
                    metered[i],
                    area[i],
                    connected_on[i],
                    cutoff_from[i],
                    suspension[i],
                )
            )
            d_num, d_den, q_d = refund_daily_fee(
                ap_day, q_n, cd, cut_days, divisor_days, rounded_first
            )
            # F / N as quotient and remainder, and the refunds' daily fee likewise: one
            # division each, reused by every line (the same one for an area-billed account
            # under the legal divisor)
            f_qt, f_rm = per_day(ap_area, q_n)
            if d_num == ap_area and d_den == q_n:
                d_qt, d_rm = f_qt, f_rm
            else:
                d_qt, d_rm = per_day(d_num, d_den)
            if keep_lines:
                present[i] = 0
                D[0, i] = cd
                D[1, i] = cut_days
            # ------------------------------------------------ charges (§3, §6, §7)
            fee_connected = connected_fee(f_qt, f_rm, cd, q_n)
            tariff = _line(
                B,
                present,
                AREA,
                i,
                area_fee(live, metered[i], ap_area, cd, cut_days, q_n, fee_connected),
                1,
            )
            tariff += _line(
                B, present, BASE, i, metered_base(P, si, cat, live, metered[i], area[i], cd, q_n), 1
            )
            tariff += _line(
                B, present, ENERGY, i, metered_energy(P, si, cat, live, metered[i], kwh[i]), 1
            )
            charges = tariff
            charges += _line(
                B, present, SUSP, i, suspension_compensation(P, si, cat, suspension[i], ap_area), 1
            )
            charges += _line(
                B, present, CUTOFF, i, cutoff_compensation(P, si, cut, cut_days, ap_area, q_n), 1
            )
            # ------------------------------------------------ no-heat refunds (§4.1)
            sup_sum = 0
            oth_sum = 0
            n_out = 0
            n_lines = 0
            ocs = cs[:0]
            oce = ce[:0]
            if live:
                g = group[i]
                if (
                    not no_union
                    and own_off[i] == own_off[i + 1]
                    and s_us == P[si, PERIOD_START]
                    and e_us == P[si, PERIOD_END]
                    and (started[i] == NONE or started[i] <= s_us)
                    and (stopped[i] == NONE or stopped[i] >= e_us)
                ):
                    # exactly the station's outages over the whole season, united once
                    lo = st_off[g] if g >= 0 else 0
                    n_out = g_count[g] if g >= 0 else 0
                    n_ref = n_out
                    ocs = g_cs[lo : lo + n_out]
                    oce = g_ce[lo : lo + n_out]
                    osd = g_sd[lo : lo + n_out]
                    ood = g_od[lo : lo + n_out]
                else:
                    st_lo = st_off[g] if g >= 0 else 0
                    st_hi = st_off[g + 1] if g >= 0 else 0
                    k = gather_intervals(
                        P,
                        si,
                        s_us,
                        e_us,
                        started[i],
                        stopped[i],
                        own_off[i],
                        own_off[i + 1],
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
                    )
                    n_out = continuous_outages(s, e, sup, k, cs, ce, hs)
                    ocs = cs[:n_out]
                    oce = ce[:n_out]
                    if no_union:
                        n_ref = separate_outages(s, e, sup, k, rcs, rce, rhs)
                        outage_days(P, si, rcs, rce, rhs, n_ref, sd, od)
                    else:
                        n_ref = n_out
                        outage_days(P, si, cs, ce, hs, n_out, sd, od)
                    osd = sd[:n_ref]
                    ood = od[:n_ref]
                for o in range(n_ref):
                    if osd[o] >= 0:
                        fen = supplier_refund(P, si, d_qt, d_rm, osd[o], d_den)
                        sup_sum += fen
                        if emit:
                            at = nh_off[i] + n_lines
                            nh_seq[at] = 2 * o
                            nh_fen[at] = fen
                            nh_days[at] = osd[o]
                        n_lines += 1
                    if ood[o] >= 0:
                        fen = facility_refund(P, si, d_qt, d_rm, ood[o], d_den)
                        oth_sum += fen
                        if emit:
                            at = nh_off[i] + n_lines
                            nh_seq[at] = 2 * o + 1
                            nh_fen[at] = fen
                            nh_days[at] = ood[o]
                        n_lines += 1
            if keep_lines:
                nh_count[i] = n_lines
            B[N_TOTALS + SUPPLIER, i] = -sup_sum
            B[N_TOTALS + FACILITY, i] = -oth_sum
            # ------------------------------------------------ temperature refunds (§4.2)
            temp_sum = 0
            for r in range(t_off[i], t_off[i + 1]):
                fee_num, fee_den = room_daily_fee(
                    t_area[r], area[i], p_day, d_num, q_d, rounded_first
                )
                fen, days, why = record_refund(
                    P,
                    si,
                    b_off[si],
                    b_off[si + 1],
                    b_above,
                    b_upto,
                    b_rate,
                    t_measured[r],
                    t_restored[r],
                    t_next[r],
                    t_celsius[r],
                    t_standard[r],
                    t_deemed[r],
                    t_fault[r],
                    s_us,
                    e_us,
                    ocs,
                    oce,
                    n_out,
                    fee_num,
                    fee_den,
                    temperature_ceil,
                )
                t_fen[r] = fen
                t_days[r] = days
                t_why[r] = why
                temp_sum += fen
            B[N_TOTALS + TEMP, i] = -temp_sum
            refunds = sup_sum + oth_sum + temp_sum
            # ------------------------------------------------ widow waiver (§5)
            waivers = _line(
                B,
                present,
                WIDOW,
                i,
                cadre_widow_waiver(
                    waiver[i], has_children[i], live, P[si, WIDOW_WITH], tariff, refunds
                ),
                -1,
            )
            # ------------------------------------------------ late fee (§7)
            owed = owed_at_due(fee_connected, waiver[i], has_children[i], P[si, WIDOW_WITH])
            late = _line(
                B,
                present,
                LATE,
                i,
                late_fee(
                    P,
                    si,
                    live,
                    as_of[i],
                    due,
                    cut,
                    owed,
                    late_rate[i],
                    pay_off[i],
                    pay_off[i + 1],
                    pay_date,
                    pay_amount,
                    idx,
                ),
                1,
            )
            # ------------------------------------------------ payments and totals (§8)
            paid = 0
            for j in range(pay_off[i], pay_off[i + 1]):
                paid += pay_amount[j]
            B[N_TOTALS + PAYMENT, i] = -paid
            B[0, i] = charges
            B[1, i] = refunds
            B[2, i] = waivers
            B[3, i] = late
            B[4, i] = paid
            B[5, i] = charges + late - refunds - waivers - paid


@njit(cache=True)
def new_outputs(rows, n, n_records, lines):  # type: ignore[no-untyped-def]
    """The pass's output arrays: ``B[rows, n]``, present, ``D[2, n]``, the records' fen, days
    and why, the no-heat line counts (present, D and the counts empty without ``lines``).

    Allocated by numba rather than numpy: numpy asks the kernel for transparent huge pages,
    whose first touch can stall on memory compaction on a busy machine (measured: the pass
    took 0.17-0.55 s on the same input, 0.20-0.22 s with these).
    """
    m = n if lines else 0
    return (
        np.empty((rows, n), dtype=np.int64),
        np.empty(m, dtype=np.int64),
        np.empty((2, m), dtype=np.int64),
        np.empty(n_records, dtype=np.int64),
        np.empty(n_records, dtype=np.int64),
        np.empty(n_records, dtype=np.int64),
        np.empty(m, dtype=np.int64),
    )


@njit(cache=True)
def account_groups(station_code, sidx, table, n_seasons):  # type: ignore[no-untyped-def]
    """Each account's station group: ``table[station code × seasons + season]`` (−1: none)."""
    out = np.empty(len(station_code), dtype=np.int64)
    for i in range(len(station_code)):
        c = station_code[i]
        out[i] = table[c * n_seasons + sidx[i]] if c >= 0 else -1
    return out


@njit(cache=True)
def scratch_sizes(own_off, st_off, group, pay_off, pay_amount, max_paid):  # type: ignore[no-untyped-def]
    """(most intervals, most payments) of one account — the pass's scratch space — and the
    first account whose payments sum to more than ``max_paid`` fen (−1: none)."""
    max_iv = 1
    max_pay = 1
    too_much = -1
    for i in range(len(own_off) - 1):
        k = own_off[i + 1] - own_off[i] + 2
        g = group[i]
        if g >= 0:
            k += st_off[g + 1] - st_off[g]
        max_iv = max(max_iv, k)
        max_pay = max(max_pay, pay_off[i + 1] - pay_off[i])
        paid = 0
        for j in range(pay_off[i], pay_off[i + 1]):
            paid += pay_amount[j]  # each amount ≤ 10¹² fen: no overflow before the check
            if paid > max_paid:
                break
        if paid > max_paid and too_much < 0:
            too_much = i
    return max_iv, max_pay, too_much


@njit(cache=True)
def is_identity(acct):  # type: ignore[no-untyped-def]
    """True when every account's key is its position (0, 1, 2, …)."""
    for i in range(len(acct)):
        if acct[i] != i:
            return False
    return True


@njit(cache=True)
def positions(acct):  # type: ignore[no-untyped-def]
    """``pos_of[acct]``: the row of each billed account key (−1 for keys not billed)."""
    size = 0
    for k in acct:
        if k + 1 > size:
            size = k + 1
    pos_of = np.full(size, -1, dtype=np.int64)
    for i in range(len(acct)):
        pos_of[acct[i]] = i
    return pos_of


@njit(cache=True)
def by_account(keys, pos_of, n):  # type: ignore[no-untyped-def]
    """(offsets, order) of event rows grouped by their account's position (a stable sort).

    ``keys`` are the rows' account keys (``pos_of`` maps them to positions; an empty
    ``pos_of`` means the keys are positions already). ``order`` is empty when the rows are
    in account order already, so the event columns are used as they are.
    """
    off = np.zeros(n + 1, dtype=np.int64)
    in_order = True
    last = -1
    for j in range(len(keys)):
        p = pos_of[keys[j]] if len(pos_of) else keys[j]
        off[p + 1] += 1
        if p < last:
            in_order = False
        last = p
    for i in range(n):
        off[i + 1] += off[i]
    if in_order:
        return off, np.empty(0, dtype=np.int64)
    fill = off[:-1].copy()
    order = np.empty(len(keys), dtype=np.int64)
    for j in range(len(keys)):
        p = pos_of[keys[j]] if len(pos_of) else keys[j]
        order[fill[p]] = j
        fill[p] += 1
    return off, order
