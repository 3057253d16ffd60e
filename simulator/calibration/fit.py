"""Calibration, stage 4: the run. ``calibrate`` fits what the data supports, driver by driver, and keeps
the judgment value of everything else, into a :class:`Calibration` (every value with its source).
Inflation comes first: the short rate and the tax base use its annual values as a covariate.
Imports the other stages of the calibration (estimators, data, judgment) and numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulator.calibration.data import CalibrationInputError, Series, period_end_times, year_ranges
from simulator.calibration.estimators import (
    MONTHS,
    equity_regime_mapping,
    fit_log_returns,
    fit_ou_annual_average,
    fit_ou_points,
    residual_correlation,
)
from simulator.calibration.judgment import DEFAULT_OPTIONS, Estimate, economy_values
from simulator.calibration.likelihood import Fit

#: A fit that moves a parameter by more than this factor from its judgment value (either way) is
#: reported: a unit error (percent read as a fraction), another series or a short span is likelier than a
#: new truth (issue 20: the tax base's volatility moved silently from 0.012 to 0.0598).
MOVE_WARNING_FACTOR = 2.0


@dataclass
class Calibration:
    """The result: every [economy] value by dotted path, the warnings, and the fitted correlations
    (pair -> r, se, common years)."""

    estimates: dict[str, Estimate]
    warnings: list[str]
    correlations: dict[tuple[str, str], tuple[float, float, int]] = field(default_factory=dict)

    def economy(self) -> dict[str, Any]:
        """The values as the nested tables of [economy]."""
        return economy_values(self.estimates)


def _ok_ou(fit: Fit, opts) -> str | None:
    """Why an OU fit is unusable (None when it is usable)."""
    kappa, se_k = fit["kappa"]
    sigma, _ = fit["sigma"]
    if fit.n < opts["min_fit_observations"]:
        return f"only {fit.n} observations (< {opts['min_fit_observations']})"
    if not np.all(np.isfinite(fit.se)):
        return "the likelihood is flat (no standard error)"
    if not 0.01 <= kappa <= 50.0:
        return f"mean reversion {kappa:.3g}/yr at or beyond the allowed 0.01..50"
    if not 0.0 < sigma <= 0.2:
        return f"volatility {sigma:.3g} outside (0, 0.2]"
    if se_k > 2.0 * kappa + 1.0:
        return f"mean reversion {kappa:.3g} with se {se_k:.3g}: not identified"
    return None


def annual_log_inflation(series: Series) -> dict[int, float]:
    """ln(1 + Dec/Dec inflation) by year: annual data directly; monthly m/m changes summed over complete years."""
    out: dict[int, float] = {}
    if not series.monthly:
        for (y, _), v in zip(series.dates, series.values):
            if np.isfinite(v):
                out[y] = math.log1p(v)
        return out
    by_year: dict[int, list[float]] = {}
    for (y, _), v in zip(series.dates, series.values):
        if np.isfinite(v):
            by_year.setdefault(y, []).append(math.log1p(v))
    return {y: sum(v) for y, v in by_year.items() if len(v) == MONTHS}


def _describe(s: Series, years_note: str = "") -> str:
    """Where a fitted value comes from: the series' files and years, then ``years_note``."""
    files = ", ".join(Path(f).name for f in s.files)
    return f"{files}, {s.years_text()}{years_note}"


class _Run:
    """One calibration: the estimates so far (judgment first), warnings and residuals by driver.
    Each driver's method fits what its data supports and leaves the judgment value otherwise."""

    def __init__(self, judgment: dict[str, Estimate], options: dict[str, Any]) -> None:
        self.opts = {**DEFAULT_OPTIONS, **options}
        self.est = {k: Estimate(v.path, v.value, v.se, v.source, v.note) for k, v in judgment.items()}
        self.warnings: list[str] = []
        self.residuals: dict[str, dict[int, float]] = {}
        self.m0 = math.log1p(self.jv("inflation.target_pa"))
        self.infl_by_year: dict[int, float] = {}  # ln(1 + Dec/Dec inflation), the covariate of others

    def jv(self, path: str) -> Any:
        """The value of a parameter so far (the judgment file's until a fit replaces it)."""
        if path not in self.est:
            raise CalibrationInputError(f"judgment file: economy.{path} is missing")
        return self.est[path].value

    def fitted(self, path: str, value: float, se: float, note: str) -> None:
        """A fitted value replaces the judgment one, unless options.keep_judgment names it."""
        if path in self.opts["keep_judgment"]:  # a forward-looking anchor: report history, keep judgment
            kept = self.est[path]
            self.est[path] = Estimate(path, kept.value, kept.se, "judgment",
                                      f"{kept.note}; history gives {value:.4g} (se {se:.2g}) from {note}, "
                                      "not used (options.keep_judgment)")
            return
        self.warn_if_moved(path, self.est[path].value, float(value), note)
        self.est[path] = Estimate(path, float(value), float(se), "fitted", note)

    def warn_if_moved(self, path: str, judged: Any, value: float, note: str) -> None:
        """A warning when the fit moves the value more than MOVE_WARNING_FACTOR from the judgment one."""
        if not isinstance(judged, (int, float)) or isinstance(judged, bool) or judged == 0 or value == 0:
            return
        factor = value / judged
        if factor < 0:
            how = "changes its sign"
        elif not 1 / MOVE_WARNING_FACTOR <= factor <= MOVE_WARNING_FACTOR:
            how = f"moves it {max(factor, 1 / factor):.1f}x"
        else:
            return
        self.warnings.append(f"economy.{path}: the fit ({note}) {how}, from the judgment {judged:.4g} to "
                             f"{value:.4g}; check the data's unit (percent, not a fraction) and span, or keep "
                             "the judgment value with options.keep_judgment in the judgment file")

    def unusable(self, what: str, why: str) -> None:
        """A fit that is not used: its parameters keep their judgment values, with a warning."""
        self.warnings.append(f"{what}: fit not used ({why}); judgment values kept")

    def check_data(self, s: Series) -> None:
        """Warnings about a series before any fit: reading, reliability flags, length, gaps."""
        self.warnings.extend(f"{s.name}: {w}" for w in s.warnings)
        for flag in s.flags:
            self.warnings.append(f"{s.name}: {flag} (less reliable data, see its header)")
        n_years = len({y for (y, _), v in zip(s.dates, s.values) if np.isfinite(v)})
        if n_years < self.opts["min_years_warning"]:
            self.warnings.append(f"{s.name}: short series, {n_years} years ({s.years_text()}); "
                                 f"estimates are uncertain (< {self.opts['min_years_warning']} years)")
        if s.n_observed() < len(s.values) or "without" in s.years_text():
            self.warnings.append(f"{s.name}: missing dates ({s.years_text()}); handled by the likelihood")

    def ou(self, what: str, fitter, *args, **kwargs) -> Fit | None:
        """Run an OU fit; None (with a warning) when it fails or is unusable (:func:`_ok_ou`)."""
        try:
            fit = fitter(*args, **kwargs)
        except ValueError as exc:
            self.unusable(what, str(exc))
            return None
        why = _ok_ou(fit, self.opts)
        if why:
            self.unusable(what, why)
            return None
        return fit

    def inflation(self, s: Series) -> None:
        """Normal regime: kappa and sigma, mean fixed at the target, shock years left out."""
        self.infl_by_year = annual_log_inflation(s)
        shock = set(self.opts["inflation_shock_years"])
        if s.monthly:
            t, v = s.observed()
            keep = np.array([math.ceil(x - 1e-9) not in shock for x in t], dtype=bool)
            fit = self.ou("inflation", fit_ou_points, t[keep], MONTHS * np.log1p(v[keep]), fixed_mean=self.m0)
        else:
            years = np.array(sorted(y for y in self.infl_by_year if y not in shock))
            fit = self.ou("inflation", fit_ou_annual_average, years,
                          np.array([self.infl_by_year[y] for y in years]), fixed_mean=self.m0)
        if fit is None:
            return
        note = _describe(s, f", excl. shock years {year_ranges(sorted(shock))}" if shock else "")
        self.fitted("inflation.mean_reversion_per_year", *fit["kappa"], note)
        self.fitted("inflation.volatility_pa", *fit["sigma"], note)
        self.residuals["inflation"] = fit.residuals

    def short_rate(self, s: Series) -> None:
        """Vasicek towards real + pass-through x inflation (pass-through judgment)."""
        beta = self.jv("short_rate.inflation_pass_through")
        offsets = {y: beta * (v - self.m0) for y, v in self.infl_by_year.items()} if beta else None
        if offsets is not None and not offsets:
            self.unusable("short_rate", "the pass-through needs an inflation series")
            return
        t, v = s.observed()
        fit = self.ou("short_rate", fit_ou_points, t, v, offset_by_year=offsets)
        if fit is None:
            return
        mean, se_mean = fit["mean"]
        real = mean - self.m0
        if not -0.5 <= real <= 1.0:
            self.unusable("short_rate", f"real rate {real:.3g} outside -0.5..1")
            return
        note = _describe(s, f", pass-through {beta:g} (judgment)")
        self.fitted("short_rate.real_long_run_pa", real, se_mean, note)
        self.fitted("short_rate.mean_reversion_per_year", *fit["kappa"], note)
        self.fitted("short_rate.volatility_pa", *fit["sigma"], note)
        self.residuals["short_rate"] = fit.residuals
        self.warnings.extend(f"short_rate: {x}" for x in fit.notes)

    def term_spread(self, lr: Series, sr: Series | None) -> None:
        """Long minus short rate on the dates both have, a plain OU."""
        common = {}
        if sr is not None and sr.monthly == lr.monthly:
            short = {d: v for d, v in zip(sr.dates, sr.values) if np.isfinite(v)}
            common = {d: v - short[d] for d, v in zip(lr.dates, lr.values) if np.isfinite(v) and d in short}
        if len(common) < 3:
            self.unusable("long_rate", "the term spread needs short and long rates on common dates")
            return
        dates = sorted(common)
        t = period_end_times(dates)
        fit = self.ou("term_spread", fit_ou_points, t, np.array([common[d] for d in dates]))
        if fit is None:
            return
        note = (f"long - short: {_describe(lr)} with {', '.join(Path(f).name for f in sr.files)}, "
                f"{len(dates)} common dates")
        self.fitted("term_spread.long_run_pa", *fit["mean"], note)
        self.fitted("term_spread.mean_reversion_per_year", *fit["kappa"], note)
        self.fitted("term_spread.volatility_pa", *fit["sigma"], note)
        self.residuals["term_spread"] = fit.residuals

    def equity(self, market: str, s: Series) -> None:
        """Moments of the log returns, mapped onto the calm regime (crash regime judgment)."""
        name = f"equity_{market}"
        _, v = s.observed()
        logs = np.log1p(v)
        note_div = ""
        if s.price_index:
            d = self.opts["price_index_dividend_yield_pa"]
            logs = logs + (math.log1p(d) / MONTHS if s.monthly else math.log1p(d))
            note_div = f", price index + {d:.1%} dividends (judgment)"
        per_year = MONTHS if s.monthly else 1
        if logs.size < max(3, self.opts["min_fit_observations"] * per_year):
            self.unusable(name, f"only {logs.size} returns")
            return
        fit = fit_log_returns(logs, per_year)
        mapped = equity_regime_mapping(
            fit["mean_log"], fit["sd_log"], self.jv(f"equity.crash.{market}_log_drift_pa"),
            self.jv(f"equity.crash.{market}_volatility_pa"),
            self.jv("equity.crash_entry_probability_per_month"),
            self.jv("equity.crash_exit_probability_per_month"))
        mu, se_mu = mapped["log_drift"]
        sig, se_sig = mapped["volatility"]
        (mean, se_mean), (sd, _) = fit["mean_log"], fit["sd_log"]
        if not -3.0 <= mu <= 3.0:
            self.unusable(name, f"calm drift {mu:.3g} outside -3..3")
            return
        note = (f"{_describe(s, note_div)}: mean log return {mean:.4f} (se {se_mean:.4f}), sd "
                f"{sd:.4f}, crash regime judgment")
        self.fitted(f"equity.calm.{market}_log_drift_pa", mu, se_mu, note)
        if math.isfinite(sig) and 0 < sig <= 2.0:
            self.fitted(f"equity.calm.{market}_volatility_pa", sig, se_sig, note)
        else:
            self.unusable(f"{name} volatility", "the crash regime alone explains the variance")
        if not s.monthly:
            years = [y for (y, _), x in zip(s.dates, s.values) if np.isfinite(x)]
            self.residuals[name] = {y: (lv - mean) / sd for y, lv in zip(years, logs)}

    def tax_base(self, s: Series) -> None:
        """Real growth and the OU deviation from annual growth net of inflation (pass-through judgment).

        The model's tax base follows lagged inflation (mean lag economy.inflation.lag_months); on annual
        data a lag of six months or more is taken as the previous year's inflation, a shorter one as
        the same year's (an approximation: the exponential lag spreads over earlier years too)."""
        beta = self.jv("tax_base.inflation_pass_through")
        lag = 1 if float(self.jv("inflation.lag_months")) >= 6 else 0
        growth = {y: math.log1p(v) for (y, _), v in zip(s.dates, s.values) if np.isfinite(v)}
        years = sorted(y for y in growth if y - lag in self.infl_by_year)
        if len(years) < self.opts["min_fit_observations"]:
            self.unusable("tax_base", f"only {len(years)} years with inflation data "
                                      f"(< {self.opts['min_fit_observations']})")
            return
        dev = np.array([growth[y] - beta * self.infl_by_year[y - lag] - (1 - beta) * self.m0 for y in years])
        fit = self.ou("tax_base", fit_ou_annual_average, np.array(years), dev)
        if fit is None:
            return
        mean, se_mean = fit["mean"]
        note = _describe(s, f", pass-through {beta:g} (judgment)")
        self.fitted("tax_base.real_long_run_growth_pa", math.expm1(mean), math.exp(mean) * se_mean, note)
        self.fitted("tax_base.mean_reversion_per_year", *fit["kappa"], note)
        self.fitted("tax_base.volatility_pa", *fit["sigma"], note)
        self.residuals["tax_base"] = fit.residuals

    def correlation(self) -> dict[tuple[str, str], tuple[float, float, int]]:
        """Fitted pairs replace judgment ones when the result stays positive definite."""
        drivers = list(self.jv("correlation.drivers"))
        new = np.array(self.jv("correlation.matrix"), dtype=float)
        minimum = self.opts["min_correlation_years"]
        corr = residual_correlation(self.residuals, minimum)
        names = list(self.residuals)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if (a, b) not in corr:
                    n = len(set(self.residuals[a]) & set(self.residuals[b]))
                    self.warnings.append(f"correlation {a}-{b}: {n} common years (< {minimum}); "
                                         "judgment value kept")
        if not corr:
            return {}
        for (a, b), (r, _, _) in corr.items():
            i, j = drivers.index(a), drivers.index(b)
            new[i, j] = new[j, i] = round(r, 4)
        if float(np.linalg.eigvalsh(new).min()) < 1e-6:
            self.warnings.append("correlation: fitted pairs with the judgment ones are not positive "
                                 "definite; judgment matrix kept")
            return {}
        pairs = "; ".join(f"{a}-{b} {r:+.2f} (se {se:.2f}, {n} years)" for (a, b), (r, se, n) in corr.items())
        reason = self.est["correlation.matrix"].note
        self.est["correlation.matrix"] = Estimate(
            "correlation.matrix", new.tolist(), None, "fitted",
            f"residuals of the fitted models over common years: {pairs}. Other pairs: judgment ({reason})")
        return corr


def calibrate(data: dict[str, Series], judgment: dict[str, Estimate], options: dict[str, Any]) -> Calibration:
    """Fit what the data supports; everything else comes from the judgment file. Inflation comes
    first: the short rate and the tax base use its annual values."""
    run = _Run(judgment, options)
    for s in data.values():
        run.check_data(s)
    if "inflation" in data:
        run.inflation(data["inflation"])
    if "short_rate" in data:
        run.short_rate(data["short_rate"])
    if "long_rate" in data:
        run.term_spread(data["long_rate"], data.get("short_rate"))
    for market in ("sweden", "global"):
        if f"equity_{market}" in data:
            run.equity(market, data[f"equity_{market}"])
    if "tax_base" in data:
        run.tax_base(data["tax_base"])
    corr = run.correlation()
    return Calibration(run.est, run.warnings, corr)
