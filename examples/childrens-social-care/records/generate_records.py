#!/usr/bin/env python3
"""Generate the synthetic case records of the children's social care example.

Made-up children of a made-up caseload, shaped like a council's case
management export: one row per referral, assessment, visit, placement and
initial health assessment, April 2020 to June 2022, plus the population of
children and comparator series for the measures scorecard. Standard library
only, seeded: running it again writes the same files byte for byte.

A few rows are deliberately bad (a missing or impossible date, an end before
its start, an empty child id) so that the example shows rejected rows.

    python3 generate_records.py            # writes the CSV files beside this script
"""

import csv
import datetime as dt
import os
import random

SEED = 20220630
START = dt.date(2020, 4, 1)
END = dt.date(2022, 6, 30)
LA = "southampton"
TEAMS = ["north", "central", "west"]
HERE = os.path.dirname(os.path.abspath(__file__))

rng = random.Random(SEED)


def days(n):
    return dt.timedelta(days=n)


def rand_date(a, b):
    return a + days(rng.randrange((b - a).days + 1))


def iso(d):
    return d.isoformat() if d else ""


def dob_for(on, min_years=0.0, max_years=17.9):
    return on - days(int(rng.uniform(min_years, max_years) * 365.25))


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{name}: {len(rows)} rows")


# ---------------------------------------------------------------- children

next_child = [0]


def new_child():
    next_child[0] += 1
    return f"C{next_child[0]:05d}"


# ---------------------------------------------------------------- referrals and assessments

referrals = []  # (referral_id, child_id, la, referred_on, date_of_birth)
for _ in range(2100):
    child = new_child()
    first = rand_date(START, END)
    dob = dob_for(first)
    # A few young people already 18 by the end of the month they are counted in.
    if rng.random() < 0.01:
        dob = dob_for(first, 17.95, 18.5)
    dates = [first]
    d = first
    while True:
        r = rng.random()
        if r < 0.22:
            d = d + days(rng.randint(14, 365))  # re-referred within 12 months
        elif r < 0.30:
            d = d + days(rng.randint(380, 700))  # referred again, later
        else:
            break
        if d > END:
            break
        dates.append(d)
    for d in dates:
        referrals.append([None, child, LA, iso(d), iso(dob)])
referrals.sort(key=lambda r: (r[3], r[1]))
for i, r in enumerate(referrals):
    r[0] = f"R{i + 1:05d}"

assessments = []  # assessment_id, child_id, la, team, started_on, completed_on
for ref_id, child, la, referred_on, _ in referrals:
    if rng.random() > 0.9:
        continue  # no further action on the referral
    start = dt.date.fromisoformat(referred_on) + days(rng.randint(0, 3))
    if start > END:
        continue
    r = rng.random()
    if r < 0.80:
        length = rng.randint(12, 60)
    elif r < 0.88:
        length = rng.randint(60, 66)  # about 45 working days: bank holidays decide
    else:
        length = rng.randint(67, 110)  # late
    done = start + days(length)
    assessments.append([None, child, la, rng.choice(TEAMS), iso(start), iso(done if done <= END else None)])
for i, a in enumerate(assessments):
    a[0] = f"A{i + 1:05d}"

# Bad rows: each is rejected with its reason when read.
referrals.insert(100, ["R90001", "C90001", LA, "", "2012-05-01"])  # no referral date
referrals.insert(200, ["R90002", "C90002", LA, "2021-02-30", "2010-01-01"])  # no such date
referrals.insert(300, ["R90003", "", LA, "2021-06-01", "2011-03-03"])  # no child id
assessments.insert(150, ["A90001", "C90004", LA, "north", "2021-09-20", "2021-08-02"])  # ends before it starts
assessments.insert(250, ["A90002", "C90005", LA, "west", "", "2021-11-15"])  # no start date

# ---------------------------------------------------------------- child protection visits

cp_visits = []  # child_id, la, visited_on
for _ in range(170):
    child = new_child()
    plan_start = rand_date(START - days(180), END)
    plan_end = min(plan_start + days(rng.randint(120, 540)), END)
    d = plan_start + days(rng.randint(0, 8))
    while d <= plan_end:
        if d >= START - days(60):
            cp_visits.append([child, LA, iso(d)])
        d = d + days(rng.randint(15, 24) if rng.random() < 0.06 else rng.randint(5, 13))
cp_visits.sort(key=lambda v: (v[2], v[0]))

# ---------------------------------------------------------------- children looked after

cla_visits = []  # child_id, la, visited_on, date_of_birth
placements = []  # child_id, la, placement_start, placement_end, legal_status, date_of_birth
health = []  # child_id, la, entered_care_on, iha_completed_on
for _ in range(700):
    child = new_child()
    entered = rand_date(START - days(3 * 365), END)
    left = entered + days(rng.randint(90, 6 * 365))
    if left < START:
        continue
    dob = dob_for(entered, 0, 16.5)
    status = rng.choice(["C2", "C2", "C2", "V2", "E1"])
    # Placements: most children have one or two, a few move often.
    moves = rng.choices([0, 1, 2, 3, 4], weights=[55, 25, 10, 6, 4])[0]
    cuts = sorted(rand_date(entered + days(1), min(left, END) - days(1)) for _ in range(moves)) if min(left, END) - entered > days(2) else []
    bounds = [entered] + cuts + [left]
    for a, b in zip(bounds, bounds[1:]):
        if a > END:
            break
        placements.append([child, LA, iso(a), iso(b if b <= END else None), status, iso(dob)])
    d = entered + days(rng.randint(1, 7))
    while d <= min(left, END):
        if d >= START - days(60):
            cla_visits.append([child, LA, iso(d), iso(dob)])
        d = d + days(rng.randint(43, 70) if rng.random() < 0.008 else rng.randint(20, 41))
    if entered >= START:
        r = rng.random()
        done = entered + days(rng.randint(5, 27) if r < 0.8 else rng.randint(29, 60))
        health.append([child, LA, iso(entered), iso(done if done <= END else None)])
placements.sort(key=lambda p: (p[2], p[0]))
cla_visits.sort(key=lambda v: (v[2], v[0]))
health.sort(key=lambda h: (h[2], h[0]))
placements.insert(120, ["C90006", LA, "2021-07-01", "2021-05-31", "C2", "2009-09-09"])  # ends before it starts

# ---------------------------------------------------------------- population and comparators

population = [
    [LA, "2019-06-30", 50120],
    [LA, "2020-06-30", 50480],
    [LA, "2021-06-30", 50310],
]

comparators = []  # entity, indicator, period, series, value
month = dt.date(2021, 4, 1)
while month <= END:
    period = month.strftime("%Y-%m")
    comparators.append([LA, "re_referrals", period, "sn", round(rng.uniform(19.5, 23.0), 1)])
    comparators.append([LA, "assessments_per_10k", period, "sn", rng.randint(205, 245)])
    comparators.append([LA, "cp_visits", period, "sn", round(rng.uniform(84.0, 90.0), 1)])
    month = (month + days(32)).replace(day=1)

write("referrals.csv", ["referral_id", "child_id", "la", "referred_on", "date_of_birth"], referrals)
write("assessments.csv", ["assessment_id", "child_id", "la", "team", "started_on", "completed_on"], assessments)
write("cp_visits.csv", ["child_id", "la", "visited_on"], cp_visits)
write("cla_visits.csv", ["child_id", "la", "visited_on", "date_of_birth"], cla_visits)
write("placements.csv", ["child_id", "la", "placement_start", "placement_end", "legal_status", "date_of_birth"], placements)
write("health_assessments.csv", ["child_id", "la", "entered_care_on", "iha_completed_on"], health)
write("population.csv", ["la", "as_at", "children"], population)
write("comparators.csv", ["entity", "indicator", "period", "series", "value"], comparators)
