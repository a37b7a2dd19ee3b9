#!/usr/bin/env python3
"""Writes data.csv for the children's social care example.

Deterministic (seeded random, standard library only): running it again gives
the same file byte for byte.

    python3 examples/childrens-social-care/generate_data.py

The figures are illustrative. Southampton's own series are written out by hand
below so that they tell the story of the June 2022 report (re-referrals rising
in June, assessments in timescale above target and neighbours all year, weak
CLA visits and health assessments, contacts up 25% on the year); the
statistical neighbours' series are generated around plausible levels.

Long format: entity, indicator, period, series, value, numerator, denominator.
Series "actual" is the council's own figure; "sn" (the statistical neighbour
average) and "england" are comparators, published once a year and so constant
within a financial year. Three indicators are given as numerator/denominator
(value left empty). Two actual rows are left out on purpose to show missing
values: southampton permanence_plans 2022-06 and plymouth cin_visits 2021-11.
"""

import csv
import random
from pathlib import Path

SEED = 20220630
OUT = Path(__file__).resolve().parent / "data.csv"

# 2021-04 .. 2022-06: 15 months.
PERIODS = [f"2021-{m:02d}" for m in range(4, 13)] + [f"2022-{m:02d}" for m in range(1, 7)]


def fin_year(period):
    """Index of the financial year (April start): 0 for 2021/22, 1 for 2022/23."""
    year, month = int(period[:4]), int(period[5:])
    return (year if month >= 4 else year - 1) - 2021


COUNCIL = "southampton"
NEIGHBOURS = ["portsmouth", "plymouth", "bristol"]
ENTITIES = [COUNCIL] + NEIGHBOURS

# Left out on purpose: (entity, indicator, period).
GAPS = {
    ("southampton", "permanence_plans", "2022-06"),
    ("plymouth", "cin_visits", "2021-11"),
}

# Each indicator, in scorecard order:
#   decimals   places written (matching the scorecard's `decimals`)
#   council    Southampton's 15 monthly values (hand-written: the story)
#   levels     each neighbour's typical level
#   noise      standard deviation of a neighbour's month-to-month noise
#   drift      change per month applied to the neighbours' levels
#   sn         Southampton's SN average, one per financial year (or None)
#   england    England, one per financial year (or None: no national figure,
#              or a constant in the scorecard)
#   lo, hi     bounds for generated values
INDICATORS = {
    "re_referrals": dict(
        decimals=1,
        council=[23.6, 22.9, 22.3, 21.7, 22.5, 21.8, 21.3, 20.9, 21.6, 20.8, 20.5, 19.9,
                 19.6, 19.8, 21.4],
        levels={"portsmouth": 19.8, "plymouth": 24.1, "bristol": 20.9},
        noise=0.8, drift=-0.05, sn=[21.0, 20.6], england=[22.7, 21.5], lo=5, hi=45),
    "assessments_per_10k": dict(
        decimals=0,
        council=[748, 742, 739, 731, 724, 718, 711, 705, 699, 694, 688, 684,
                 679, 673, 668],
        levels={"portsmouth": 612, "plymouth": 701, "bristol": 558},
        noise=6, drift=-1.5, sn=[652, 645], england=[548, 542], lo=300, hi=1200),
    "assessments_in_timescale": dict(
        decimals=1,
        council=[87.2, 88.9, 86.4, 89.7, 90.3, 88.1, 91.0, 89.4, 87.8, 90.6, 91.3, 89.9,
                 88.7, 90.2, 91.5],
        levels={"portsmouth": 85.6, "plymouth": 79.4, "bristol": 82.7},
        noise=2.2, drift=0.1, sn=[83.6, 84.1], england=None, lo=40, hi=100),
    "cp_visits": dict(
        decimals=1,
        council=[88.4, 90.7, 91.2, 87.9, 89.6, 92.3, 91.8, 90.4, 88.9, 92.6, 93.0, 91.7,
                 92.2, 90.9, 93.1],
        levels={"portsmouth": 91.5, "plymouth": 86.2, "bristol": 88.0},
        noise=1.8, drift=0.05, sn=[88.0, 88.6], england=None, lo=50, hi=100),
    "cla_visits": dict(
        decimals=1,
        council=[90.2, 88.7, 91.5, 89.3, 87.6, 90.8, 92.1, 89.9, 88.4, 91.2, 92.6, 90.5,
                 89.8, 88.1, 91.2],
        levels={"portsmouth": 94.1, "plymouth": 91.8, "bristol": 93.0},
        noise=1.5, drift=0.0, sn=[92.5, 92.8], england=None, lo=50, hi=100),
    "cin_visits": dict(
        decimals=1,
        council=[72.8, 75.1, 74.0, 76.3, 73.9, 77.2, 78.4, 76.9, 75.5, 79.1, 80.2, 78.8,
                 81.0, 82.3, 79.5],
        levels={"portsmouth": 81.4, "plymouth": 77.6, "bristol": 83.2},
        noise=2.4, drift=0.1, sn=[80.5, 81.2], england=None, lo=30, hi=100),
    "supervisions_in_timescale": dict(
        decimals=1,
        council=[71.2, 73.5, 69.8, 72.4, 74.1, 75.6, 73.9, 76.2, 74.8, 77.1, 78.3, 76.5,
                 77.9, 75.8, 76.4],
        levels={"portsmouth": 78.5, "plymouth": 70.2, "bristol": 74.6},
        noise=2.5, drift=0.1, sn=None, england=None, lo=30, hi=100),
    "supervisions_cp_cla": dict(
        decimals=1,
        council=[79.5, 81.2, 80.4, 82.7, 78.9, 83.1, 84.0, 82.5, 81.8, 84.6, 85.2, 83.9,
                 84.8, 83.5, 85.1],
        levels={"portsmouth": 84.0, "plymouth": 76.8, "bristol": 80.9},
        noise=2.2, drift=0.1, sn=None, england=None, lo=30, hi=100),
    "contacts": dict(
        decimals=0,
        council=[1418, 1447, 1492, 1389, 1301, 1512, 1544, 1498, 1352, 1560, 1611, 1702,
                 1695, 1788, 1866],
        levels={"portsmouth": 1240, "plymouth": 1365, "bristol": 2410},
        noise=70, drift=9, sn=None, england=None, lo=0, hi=100000),
    "assessments_nfa": dict(  # numerator / denominator
        decimals=1,
        council=[33.0, 34.5, 31.8, 35.2, 32.9, 34.1, 33.6, 35.8, 32.4, 34.9, 35.5, 36.2,
                 35.1, 36.0, 36.7],
        levels={"portsmouth": 29.4, "plymouth": 37.8, "bristol": 31.2},
        noise=2.0, drift=0.05, sn=[31.6, 31.9], england=[29.8, 30.4], lo=5, hi=80),
    "cp_plans_per_10k": dict(
        decimals=1,
        council=[63.4, 62.8, 61.9, 62.5, 61.2, 60.6, 59.8, 60.3, 59.1, 58.4, 57.9, 58.6,
                 57.7, 58.2, 57.3],
        levels={"portsmouth": 49.6, "plymouth": 66.3, "bristol": 44.8},
        noise=1.0, drift=-0.1, sn=[52.3, 50.8], england=None, lo=10, hi=150),
    "cla_entering_care": dict(
        decimals=0,
        council=[24, 21, 27, 19, 22, 25, 18, 23, 20, 17, 22, 19, 18, 16, 14],
        levels={"portsmouth": 15, "plymouth": 21, "bristol": 29},
        noise=3.5, drift=0.0, sn=None, england=None, lo=0, hi=1000),
    "cla_rate": dict(  # numerator / denominator: children looked after / population 0-17
        decimals=0,
        council=None,  # from CLA_COUNTS and POPULATION below
        levels={"portsmouth": 81, "plymouth": 96, "bristol": 72},
        noise=0.8, drift=-0.1, sn=[96, 94], england=[67, 70], lo=20, hi=250),
    "ihas_in_timescale": dict(  # numerator / denominator
        decimals=1,
        council=[61.0, 55.0, 64.0, 58.0, 52.0, 67.0, 63.0, 59.0, 56.0, 62.0, 66.0, 60.0,
                 57.0, 54.0, 58.0],
        levels={"portsmouth": 74.0, "plymouth": 63.0, "bristol": 70.0},
        noise=8.0, drift=0.0, sn=[72.5, 74.0], england=None, lo=0, hi=100),
    "rhas_in_timescale": dict(
        decimals=1,
        council=[84.2, 82.9, 85.6, 83.1, 81.7, 84.8, 86.0, 83.4, 82.2, 84.5, 85.1, 83.8,
                 81.6, 80.2, 78.9],
        levels={"portsmouth": 90.4, "plymouth": 86.1, "bristol": 88.7},
        noise=1.8, drift=0.0, sn=[88.5, 89.0], england=[88.0, 89.0], lo=40, hi=100),
    "placement_moves_3plus": dict(
        decimals=1,
        council=[10.8, 10.6, 10.9, 10.4, 10.2, 10.5, 10.1, 9.9, 10.3, 9.8, 9.7, 9.9,
                 9.6, 9.8, 9.6],
        levels={"portsmouth": 9.1, "plymouth": 11.6, "bristol": 10.2},
        noise=0.4, drift=0.0, sn=[10.2, 10.0], england=[9.0, 10.0], lo=2, hi=30),
    "long_term_stability": dict(
        decimals=1,
        council=[66.8, 67.1, 66.5, 67.4, 67.9, 68.2, 67.6, 68.0, 68.5, 68.1, 68.7, 69.0,
                 68.4, 68.6, 68.3],
        levels={"portsmouth": 71.2, "plymouth": 65.9, "bristol": 69.4},
        noise=0.8, drift=0.0, sn=[69.5, 70.1], england=[70.0, 70.0], lo=30, hi=100),
    "permanence_plans": dict(
        decimals=1,
        council=[88.5, 89.2, 90.1, 90.8, 91.4, 90.6, 92.0, 92.7, 91.9, 93.1, 93.6, 92.8,
                 93.4, 93.9, None],  # June 2022 not yet available: left out
        levels={"portsmouth": 93.8, "plymouth": 89.5, "bristol": 91.7},
        noise=1.4, drift=0.05, sn=[91.0, 92.0], england=None, lo=40, hi=100),
}

# numerator / denominator indicators
NUM_DEN = {"assessments_nfa", "ihas_in_timescale", "cla_rate"}

# Southampton children looked after at month end (540 at the end of June 2022,
# down 15 in six weeks) and children aged 0-17 by financial year (ONS mid-year
# estimate in use that year).
CLA_COUNTS = [571, 574, 569, 566, 570, 563, 560, 558, 561, 556, 553, 555, 557, 552, 540]
POPULATION = {
    "southampton": [50210, 50480],
    "portsmouth": [43460, 43610],
    "plymouth": [50790, 50920],
    "bristol": [96850, 97330],
}
# Typical monthly denominators: single assessments completed, IHAs due.
ASSESSMENTS = {"southampton": 280, "portsmouth": 225, "plymouth": 295, "bristol": 450}
IHAS_DUE = {"southampton": 22, "portsmouth": 15, "plymouth": 19, "bristol": 30}


def fmt(x, decimals):
    return f"{x:.{decimals}f}"


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def main():
    rng = random.Random(SEED)
    rows = []

    for entity in ENTITIES:
        for ind, spec in INDICATORS.items():
            d = spec["decimals"]
            # A neighbour's own SN average differs a little from Southampton's.
            sn_offset = 0.0 if entity == COUNCIL else rng.uniform(-0.03, 0.03)
            level = spec["levels"].get(entity)

            for i, period in enumerate(PERIODS):
                fy = fin_year(period)

                # --- the entity's own figure (series "actual")
                if entity == COUNCIL:
                    v = spec["council"][i] if spec["council"] is not None else None
                else:
                    v = clamp(level + spec["drift"] * i + rng.gauss(0, spec["noise"]),
                              spec["lo"], spec["hi"])

                num = den = None
                if ind == "cla_rate":
                    den = POPULATION[entity][fy]
                    if entity == COUNCIL:
                        num = CLA_COUNTS[i]
                    else:
                        num = round(v * den / 10000)
                elif ind == "assessments_nfa":
                    den = max(50, round(ASSESSMENTS[entity] * rng.uniform(0.85, 1.15)))
                    num = round(v * den / 100)
                elif ind == "ihas_in_timescale":
                    den = max(5, round(IHAS_DUE[entity] * rng.uniform(0.75, 1.25)))
                    if entity == COUNCIL and period == "2022-06":
                        den = 24  # 14 of 24 in timescale: 58.3%
                    num = min(den, round(v * den / 100))

                if (entity, ind, period) not in GAPS and (v is not None or num is not None):
                    if ind in NUM_DEN:
                        rows.append([entity, ind, period, "actual", "", num, den])
                    else:
                        rows.append([entity, ind, period, "actual", fmt(v, d), "", ""])

                # --- comparators
                if spec["sn"] is not None:
                    sn = spec["sn"][fy] * (1 + sn_offset)
                    rows.append([entity, ind, period, "sn", fmt(sn, d), "", ""])
                if spec["england"] is not None:
                    rows.append([entity, ind, period, "england",
                                 fmt(spec["england"][fy], d), "", ""])

    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["entity", "indicator", "period", "series", "value", "numerator", "denominator"])
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
