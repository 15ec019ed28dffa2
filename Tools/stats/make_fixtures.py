#!/usr/bin/env python3
"""Builds the reference values of the statistics tests, Tests/FocalTrainingTests/Fixtures/statistics.

Output:

  wilcoxon.json   ~30 paired samples (x, y) and scipy.stats.wilcoxon(x, y) with its defaults
      (zero_method="wilcox", correction=False, alternative="two-sided", method="auto"): the
      statistic min(W+, W-), the p-value, and the method scipy's "auto" rule picked in the installed
      version (read from scipy/stats/_wilcoxon.py, scipy 1.17):
        - more than 50 pairs (zeros included)                      -> "normal" (asymptotic, no
                                                                      continuity correction)
        - no zero differences and no ties among |x - y|            -> "exact" (tabulated W+)
        - zeros or ties, at most 13 pairs                          -> "exactConditional" (scipy's
                                                                      permutation test, which for
                                                                      2^n <= 9999 enumerates every
                                                                      sign assignment)
        - zeros or ties, 14..50 pairs                              -> "normal"
      The script checks its method label: it recomputes the p-value with scipy's explicit
      method="exact" / "asymptotic", or for the conditional case with its own enumeration of all
      2^n sign flips, and stops if that disagrees with the "auto" result.
      Cases: n = 1..10 without ties, with ties, with zeros, all equal; n = 13, 14 (boundary of the
      permutation rule), 20, 36, 50, 51 (boundary of the exact rule), 60, 200; DSC-like scores rounded
      to 4 decimals (ties and zeros); positive, negative and no shift. All-zero differences are
      listed separately with what scipy does (ValueError for n = 1, p = 1 for n = 2..13, NaN with a
      warning above); Focal returns p = 1 with n = 0 for every length.

  bootstrap.json  a few difference arrays and numpy's percentile bootstrap CI of their mean
      (200,000 resamples with replacement, np.percentile with the default linear interpolation at
      2.5 % and 97.5 %). The RNGs differ from Focal's, so the tests compare within Monte-Carlo error.

The data are synthetic (no licence needed). Requires numpy and scipy.

Usage: python3 Tools/stats/make_fixtures.py [--output Tests/FocalTrainingTests/Fixtures/statistics]
"""
import argparse
import itertools
import json
import os
import warnings

import numpy as np
import scipy
from scipy import stats


def scipy_auto_method(d):
    """The method scipy 1.17's wilcoxon(method="auto") uses for differences d."""
    n = len(d)
    if n > 50:
        return "normal"
    nonzero = np.abs(d[d != 0])
    has_ties = len(np.unique(nonzero)) < len(nonzero)
    has_zeros = np.any(d == 0)
    if not (has_ties or has_zeros):
        return "exact"
    if n <= 13:
        return "exactConditional"
    return "normal"


def enumerated_pvalue(d):
    """Two-sided p-value from all 2^n sign assignments of the observed mid-ranks (zeros dropped)."""
    nz = d[d != 0]
    if len(nz) == 0:
        return 1.0
    ranks = stats.rankdata(np.abs(nz))
    observed = ranks[nz > 0].sum()
    totals = np.array([sum(r for r, s in zip(ranks, signs) if s)
                       for signs in itertools.product([False, True], repeat=len(nz))])
    less = np.mean(totals <= observed)
    greater = np.mean(totals >= observed)
    return min(1.0, 2 * min(less, greater))


def check_method(x, y, method, p):
    d = x - y
    if method == "exact":
        q = stats.wilcoxon(x, y, method="exact").pvalue
    elif method == "normal":
        q = stats.wilcoxon(x, y, method="asymptotic").pvalue
    else:
        q = enumerated_pvalue(d)
    if not np.isclose(p, q, rtol=1e-12, atol=0):
        raise SystemExit(f"method label {method} does not reproduce scipy's auto p-value: {p} vs {q}")


def wilcoxon_cases(rng):
    cases = []

    def add(name, x, y):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        res = stats.wilcoxon(x, y)
        method = scipy_auto_method(x - y)
        check_method(x, y, method, float(res.pvalue))
        cases.append({"name": name, "x": x.tolist(), "y": y.tolist(), "statistic": float(res.statistic),
                      "pvalue": float(res.pvalue), "method": method})

    # Small n, continuous (no ties, no zeros): the exact distribution.
    for n in range(1, 11):
        shift = [0.0, 0.5, -0.8][n % 3]
        y = rng.normal(0.8, 0.1, n)
        add(f"continuous n={n} shift={shift}", y + shift * 0.1 + rng.normal(0, 0.05, n), y)
    # Small n with ties and / or zeros: the exact conditional (permutation) distribution.
    add("ties n=5", [1.0, 2.0, 3.0, 4.0, 5.0], [0.5, 1.5, 3.5, 3.0, 4.0])        # d = .5 .5 -.5 1 1
    add("ties n=8", [2, 3, 5, 7, 7, 9, 10, 12], [1, 1, 6, 5, 5, 7, 9, 10])       # d = 1 2 -1 2 2 2 1 2
    add("zeros n=6", [0.25, 0.5, 0.75, 1.0, 1.25, 1.5], [0.25, 0.0, 0.75, 0.25, 1.5, 0.5])
    add("ties and zeros n=10", np.arange(10) / 4, np.array([0, 1, 1, 3, 5, 5, 6, 8, 8, 10]) / 4)
    add("all equal nonzero n=7", np.full(7, 0.75), np.full(7, 0.5))
    add("all equal negative n=4", np.full(4, 0.25), np.full(4, 0.5))
    add("ties n=13", np.round(rng.normal(0.05, 0.1, 13), 1), np.zeros(13))
    add("one zero n=14 (normal)", np.concatenate([[0.0], rng.normal(0.1, 0.2, 13)]), np.zeros(14))
    # Moderate n.
    y = rng.uniform(0.6, 0.95, 20)
    add("continuous n=20 shift", y + 0.01 + rng.normal(0, 0.02, 20), y)
    add("ties n=20 (normal)", np.round(rng.normal(0.3, 1.0, 20)), np.zeros(20))
    add("all equal nonzero n=20 (normal)", np.full(20, 1.5), np.full(20, 1.0))
    y = rng.uniform(0.6, 0.95, 36)
    add("continuous n=36 no shift", y + rng.normal(0, 0.02, 36), y)
    add("ties and zeros n=36 (normal)", np.round(rng.normal(-0.4, 1.5, 36)), np.zeros(36))
    add("continuous n=50 negative shift", rng.normal(-0.3, 1.0, 50), np.zeros(50))
    add("continuous n=51 negative shift (normal)", rng.normal(-0.3, 1.0, 51), np.zeros(51))
    add("continuous n=60 positive shift", rng.normal(0.2, 1.0, 60), np.zeros(60))
    add("continuous n=200 small shift", rng.normal(0.05, 1.0, 200), np.zeros(200))
    # DSC-like per-image scores: a baseline and a slightly better candidate, rounded to 4 decimals
    # (the differences then tie and hit zero).
    for n, delta in ((36, 0.004), (60, -0.002), (200, 0.003)):
        base = np.clip(rng.beta(12, 2, n), 0, 1)
        cand = np.clip(base + delta + rng.normal(0, 0.01, n), 0, 1)
        add(f"DSC-like rounded n={n} delta={delta}", np.round(cand, 4), np.round(base, 4))
    return cases


def all_zero_case(n):
    """x == y everywhere: what scipy does (ValueError for n = 1, p = 1 for n = 2..13, NaN above)."""
    x = [0.5] * n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            scipy_result = repr(float(stats.wilcoxon(x, x).pvalue))
        except ValueError as e:
            scipy_result = f"ValueError: {e}"
    return {"name": f"all zero n={n}", "x": x, "y": x, "scipy_pvalue": scipy_result}


def bootstrap_cases(rng, resamples=200_000, batch=10_000):
    cases = []
    datasets = [
        ("normal n=60", rng.normal(0.004, 0.01, 60)),
        ("skewed n=40", np.concatenate([rng.normal(0.003, 0.004, 36), [-0.08, -0.05, -0.12, -0.03]])),
        ("uniform n=200", rng.uniform(-0.01, 0.02, 200)),
    ]
    for name, d in datasets:
        means = np.concatenate([d[rng.integers(0, len(d), size=(batch, len(d)))].mean(axis=1)
                                for _ in range(resamples // batch)])
        lower, upper = np.percentile(means, [2.5, 97.5])
        cases.append({"name": name, "differences": d.tolist(), "resamples": resamples,
                      "confidence_level": 0.95, "mean": float(d.mean()), "lower": float(lower),
                      "upper": float(upper), "bootstrap_standard_error": float(means.std())})
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="Tests/FocalTrainingTests/Fixtures/statistics")
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    rng = np.random.default_rng(20220301)

    wilcoxon = {
        "scipy_version": scipy.__version__, "numpy_version": np.__version__,
        "call": "scipy.stats.wilcoxon(x, y) (defaults: zero_method='wilcox', correction=False, "
                "alternative='two-sided', method='auto')",
        "cases": wilcoxon_cases(rng),
        "all_zero": [all_zero_case(n) for n in (1, 5, 20)],
    }
    with open(os.path.join(args.output, "wilcoxon.json"), "w") as f:
        json.dump(wilcoxon, f, indent=1)
        f.write("\n")

    bootstrap = {"numpy_version": np.__version__, "cases": bootstrap_cases(rng)}
    with open(os.path.join(args.output, "bootstrap.json"), "w") as f:
        json.dump(bootstrap, f, indent=1)
        f.write("\n")
    counts = {}
    for c in wilcoxon["cases"]:
        counts[c["method"]] = counts.get(c["method"], 0) + 1
    print(f"scipy {scipy.__version__}: {len(wilcoxon['cases'])} Wilcoxon cases {counts}, "
          f"{len(bootstrap['cases'])} bootstrap cases -> {args.output}")


if __name__ == "__main__":
    main()
