"""The planted bugs the default test-suite must catch (issue 11 item 6, issue 13).

Each :class:`Mutant` replaces ONE exact, short snippet of one file (the snippet must occur exactly once;
otherwise the harness reports an error -- code moves, and a silently skipped mutant would look "caught")
and names the pytest node ids expected to fail.  ``issue`` says which planted bug of the issues it is, or
"sibling" for other bugs of the same kind (other tolerances, factor-2 errors, reversed conditions).
"""

from __future__ import annotations

from dataclasses import dataclass

G = "tests/theory/test_guards.py"
GE = "tests/empirical/test_guards.py"
JG = "tests/empirical/test_jpeg_gap.py"


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str
    old: str
    new: str
    tests: tuple
    issue: str = "sibling"


MUTANTS = (
    # -- theory/claims/_core.py: Sides.holds ---------------------------------------------------------------
    Mutant("sides-le-tol-1e6", "theory/claims/_core.py",
           "return self.lhs <= self.rhs + self.tol", "return self.lhs <= self.rhs + self.tol * 1e6",
           (f"{G}::test_sides_tolerance_is_exact",), "11: Sides.holds '<=' tolerance loosened 1e6x"),
    Mutant("sides-ge-tol-1e6", "theory/claims/_core.py",
           "return self.lhs + self.tol >= self.rhs", "return self.lhs + self.tol * 1e6 >= self.rhs",
           (f"{G}::test_sides_tolerance_is_exact",)),
    Mutant("sides-eq-tol-1e6", "theory/claims/_core.py",
           "return abs(self.lhs - self.rhs) <= self.tol", "return abs(self.lhs - self.rhs) <= self.tol * 1e6",
           (f"{G}::test_sides_tolerance_is_exact",)),
    Mutant("sides-le-reversed", "theory/claims/_core.py",
           "return self.lhs <= self.rhs + self.tol", "return self.lhs >= self.rhs - self.tol",
           (f"{G}::test_sides_direction",)),
    # -- l2_claims.py: C11 ------------------------------------------------------------------------------------
    Mutant("c11-conclusion-tol-1e-3", "theory/claims/l2_claims.py",
           'return Sides(r11, tight, "<=", 1e-9 * tight', 'return Sides(r11, tight, "<=", 1e-3 * tight',
           (f"{G}::test_c11_conclusion_fails_just_beyond_threshold",), "11: C11 conclusion tolerance 1e-9 -> 1e-3"),
    Mutant("c11-soundness-all-to-any", "theory/claims/l2_claims.py",
           'ok = all(r["exceeds_tight"] or r["beyond_range"]', 'ok = any(r["exceeds_tight"] or r["beyond_range"]',
           (f"{G}::test_c11_soundness_verdict_condition",), "11: C11 soundness all -> any"),
    Mutant("c11-soundness-any-dropped", "theory/claims/l2_claims.py",
           'and any(\n        r["exceeds_tight"] for r in rows)', 'and any(\n        True for r in rows)',
           (f"{G}::test_c11_soundness_verdict_condition",), "11: C11 soundness any(exceeds) dropped"),
    # -- linf_claims.py: T15, T16, T17 ------------------------------------------------------------------------
    Mutant("t15-halfwidth-1e6", "theory/claims/linf_claims.py",
           "half = 6 * math.sqrt(d) / math.sqrt(n_d)", "half = 1e6 * 6 * math.sqrt(d) / math.sqrt(n_d)",
           (f"{G}::test_t15_monte_carlo_rejects_wrong_scale",
            f"{G}::test_t15_monte_carlo_halfwidth_is_six_standard_errors"), "11: T15 MC half-width x1e6"),
    Mutant("t15-halfwidth-variance-d2", "theory/claims/linf_claims.py",
           "half = 6 * math.sqrt(d) / math.sqrt(n_d)", "half = 6 * d / math.sqrt(n_d)",
           (f"{G}::test_t15_monte_carlo_halfwidth_is_six_standard_errors",)),
    Mutant("t16-claim-bound-sqrt-d", "theory/claims/linf_claims.py",
           "return r * d / eps", "return r * math.sqrt(d) / eps",
           (f"{G}::test_linf_claim_bounds_rates",)),
    # -- divergences.py -----------------------------------------------------------------------------------------
    Mutant("dmr-limit-tol-1e-3", "theory/divergences.py",
           "if kl >= best_v * (1.0 - 1e-12):", "if kl >= best_v * (1.0 - 1e-3):",
           (f"{G}::test_dmr_interior_sup_just_above_kl_is_not_reported_as_the_limit",),
           "11: DMR alpha->1 limit tolerance 1e-12 -> 1e-3"),
    Mutant("dmr-limit-reversed", "theory/divergences.py",
           "if kl >= best_v * (1.0 - 1e-12):", "if kl <= best_v * (1.0 - 1e-12):",
           (f"{G}::test_dmr_randomized_response_limit_is_kl",)),
    Mutant("dmr-brent-xtol-1e-2", "theory/divergences.py",
           "n_grid: int = 161, xtol: float = 1e-9", "n_grid: int = 161, xtol: float = 1e-2",
           (f"{G}::test_dmr_interior_maximum_to_search_accuracy",)),
    # -- scaling.py ------------------------------------------------------------------------------------------------
    Mutant("epsilon-dmr-r2", "theory/scaling/curves.py", "return r * r / 2.0", "return r * r",
           (f"{G}::test_epsilon_dmr_closed_form",), "11: scaling.epsilon_dmr r^2 instead of r^2/2"),
    Mutant("bound-t16-sqrt-d", "theory/scaling/curves.py",
           "return alpha * epsilon_dinf(pA) / d", "return alpha * epsilon_dinf(pA) / math.sqrt(d)",
           (f"{G}::test_lower_bound_rates_in_d",), "11: T16 bound / sqrt(d) instead of / d"),
    Mutant("bound-t17-d", "theory/scaling/curves.py",
           "return alpha * math.sqrt(epsilon_dmr(pA) / d)", "return alpha * math.sqrt(epsilon_dmr(pA)) / d",
           (f"{G}::test_lower_bound_rates_in_d",)),
    # -- soundness.py ------------------------------------------------------------------------------------------------
    Mutant("wrong-class-counts-right", "theory/soundness.py",
           "wrong = int(np.count_nonzero(fail & ~right))", "wrong = int(np.count_nonzero(fail & right))",
           (f"{G}::test_soundness_wrong_class_count_matches_exact_probability",),
           "11: soundness wrong_class counts runs with the right class"),
    Mutant("wrong-class-counts-all", "theory/soundness.py",
           "wrong = int(np.count_nonzero(fail & ~right))", "wrong = int(np.count_nonzero(fail))",
           (f"{G}::test_soundness_wrong_class_count_matches_exact_probability",)),
    # -- PREDICT ------------------------------------------------------------------------------------------------------
    Mutant("predict-alpha-half-certificates", "theory/certificates/counts.py",
           "return PredictResult(p > alpha, p)", "return PredictResult(p > alpha / 2, p)",
           (f"{G}::test_predict_abstains_exactly_at_p_greater_than_alpha",
            f"{GE}::test_predict_three_classes_uses_runner_up_count"), "11: PREDICT abstains at p > alpha/2"),
    Mutant("predict-alpha-half-core", "empirical/core.py",
           "res = C.predict_from_counts(nA, nB, alpha)", "res = C.predict_from_counts(nA, nB, alpha / 2)",
           (f"{GE}::test_predict_three_classes_uses_runner_up_count",), "11: PREDICT abstains at p > alpha/2"),
    Mutant("predict-nb-n-minus-na", "empirical/core.py",
           "nA, nB = int(counts[cA]), int(counts[cB])", "nA, nB = int(counts[cA]), n - int(counts[cA])",
           (f"{GE}::test_predict_three_classes_uses_runner_up_count",), "13: PREDICT n_B = n - n_A"),
    # -- per-example seeding -------------------------------------------------------------------------------------------
    Mutant("seed-ignores-idx-certify", "empirical/certify.py",
           "g.manual_seed(example_seed(seed, i))", "g.manual_seed(example_seed(seed, 0))",
           (f"{GE}::test_two_indices_get_different_noise",), "13: per-example seeding ignores idx"),
    Mutant("seed-ignores-idx-noise", "empirical/noise.py",
           "int(idx)]).generate_state", "0]).generate_state",
           (f"{GE}::test_two_indices_get_different_noise",), "13: per-example seeding ignores idx"),
    # -- more siblings: another Monte Carlo half-width, a factor-2 error in a certificate --------------------------
    Mutant("t13-hoeffding-halfwidth-1e6", "theory/claims/linf_claims.py",
           "half = 2 * 0.5 * math.sqrt(math.log(2 / 1e-6) / (2 * n))",
           "half = 1e6 * 2 * 0.5 * math.sqrt(math.log(2 / 1e-6) / (2 * n))",
           (f"{G}::test_t13_monte_carlo_rejects_wrong_kl",)),
    Mutant("c11-radius-factor-2", "theory/certificates/radii.py",
           "return _SQRT2 * sigma * t / (2.0 * (1.0 + c))", "return _SQRT2 * sigma * t / (1.0 + c)",
           (f"{G}::test_epsilon_dmr_closed_form",)),
    Mutant("soundness-tie-rtol-1e-3", "theory/soundness.py",
           "TIE_RTOL = 1e-12", "TIE_RTOL = 1e-3",
           (f"{G}::test_soundness_failure_rate_of_cohen_matches_exact_clopper_pearson_probability",)),
    # -- JPEG gap: matching the lossless images to the class-major JPEG copy; the paired counts ----------------
    Mutant("jpeg-match-no-class-offset", "empirical/jpeg_gap.py",
           "rows[pos] = start[c] + seen[c]", "rows[pos] = seen[c]",
           (f"{JG}::test_match_finds_the_rows_of_a_class_major_copy",)),
    Mutant("jpeg-match-file-order", "empirical/jpeg_gap.py",
           "for pos in order:  # original test order", "for pos in range(m):",
           (f"{JG}::test_match_finds_the_rows_of_a_class_major_copy",)),
    Mutant("jpeg-match-no-pixel-check", "empirical/jpeg_gap.py",
           "| (mae > max_mae)", "",
           (f"{JG}::test_match_refuses_a_copy_shuffled_within_a_class",)),
    Mutant("jpeg-gap-radius-strict", "empirical/jpeg_gap.py",
           'float(r["radius"]) >= R for r in rows_lossless', 'float(r["radius"]) > R for r in rows_lossless',
           (f"{JG}::test_paired_gaps_counts_a_radius_equal_to_r",)),
)
