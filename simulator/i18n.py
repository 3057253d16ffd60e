"""Every string a person reads, in Swedish (the default) and English: the one home of each label.

Report text, table columns, chart titles, the title of every output variable (``var.<name>``, also the
store's ``long_name_sv``; ``monthly.<name>`` for the monthly ones), the assumption table's parameters,
the känslighetsanalys items and the events summary.json counts. ``t(key, lang, **values)`` looks a
string up and fills its ``{placeholders}``; an unknown key or language is an error, never a silent
fallback, and a test checks that every key has both languages with the same placeholders, and that no
module outside this one holds a Swedish label (tests/test_layers.py).

The strings are this module's table and, for the report's and the terminal's longer texts (issue 20),
the TOML file beside it (``i18n.toml``: ``"key" = { sv = "...", en = "..." }``), read once at import;
a key in both is an error, so each label still has one home.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

from simulator.errors import InputError

#: the report's and the terminal's texts, beside this module (package data)
STRINGS_FILE = Path(__file__).with_name("i18n.toml")

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"

STRINGS: dict[str, dict[str, str]] = {
    # report frame
    "report.kicker": {"sv": "Region Jämtland Härjedalen · långsiktig ekonomisk simulering",
                      "en": "Region Jämtland Härjedalen · long-term financial simulation"},
    "report.title": {"sv": "Rapport: scenario {scenario}", "en": "Report: scenario {scenario}"},
    "report.subtitle": {"sv": "{paths} simulerade utfall, frö {seed} (slumptalens startvärde: samma frö ger samma siffror), körd {date}",
                        "en": "{paths} simulated paths, seed {seed} (where the random numbers start: the same seed gives the same numbers), run on {date}"},
    "report.subtitle_deterministic": {
        "sv": "Deterministisk körning: planen utan slumpmässiga störningar, körd {date}",
        "en": "Deterministic run: the plan without random shocks, run on {date}"},
    "report.contents": {"sv": "Innehåll", "en": "Contents"},
    "report.generated": {"sv": "Rapporten skapades {date} med simulator {version} (kod {code}).",
                        "en": "Report generated on {date} with simulator {version} (code {code})."},
    # sections
    "section.answers": {"sv": "Tre svar", "en": "Three answers"},
    "section.goals": {"sv": "Målen: definition, sannolikhet och intervall",
                      "en": "The goals: definition, probability and interval"},
    "section.comparison": {"sv": "Körningarna sida vid sida", "en": "The runs side by side"},
    "section.reaction": {"sv": "Reaktionsregeln: åtgärderna som användes",
                         "en": "The reaction rule: the measures used"},
    "section.fans": {"sv": "Utfall per år", "en": "Outcomes per year"},
    "section.equity": {"sv": "Aktieandelen och dynamiska riskprincipen",
                       "en": "The equity share and the drawdown rule"},
    "section.tornado": {"sv": "Antagandenas betydelse", "en": "How much the assumptions matter"},
    "section.attribution": {"sv": "Varför utfall missar målen", "en": "Why paths miss the goals"},
    "section.sweep": {"sv": "Svep över styrmedlen", "en": "Sweep over the levers"},
    "section.paired": {"sv": "Parvisa skillnader mot första körningen",
                       "en": "Paired differences against the first run"},
    "section.scenario": {"sv": "Scenariots huvudantaganden och styrmedel",
                         "en": "The scenario's main assumptions and levers"},
    "section.provenance": {"sv": "Ursprung", "en": "Provenance"},
    # the three answers
    "answer.note.probability": {"sv": "sannolikhet", "en": "probability"},
    "answer.note.deterministic": {"sv": "utan störningar", "en": "zero shock"},
    "answer.note.consolidation": {"sv": "{measures}, utgången av {year}", "en": "{measures}, end of {year}"},
    "answer.note.total": {"sv": "hela förpliktelsen", "en": "whole obligation"},
    "answer.note.booked": {"sv": "avsättningen", "en": "provision"},
    "answer.note.equity": {"sv": "median, utgången av {year}", "en": "median, end of {year}"},
    "answer.balance.question": {"sv": "Har regionen ekonomi i balans {year}?",
                                "en": "Are the region's finances in balance by {year}?"},
    "answer.balance": {
        "sv": "Sannolikheten att regionen har ekonomi i balans {year} är {p} (95 % konfidensintervall {interval}).",
        "en": "The probability that the region's finances are in balance by {year} is {p} "
              "(95% confidence interval {interval})."},
    "answer.balance_deterministic": {
        "sv": "Med planen utan slumpmässiga störningar är ekonomi i balans {year}: {outcome}.",
        "en": "With the plan and no random shocks, balanced finances by {year}: {outcome}."},
    "answer.consolidation.question": {
        "sv": "Når pensionsmedlen en konsolideringsgrad på minst 100 % senast {year}?",
        "en": "Do the pension assets reach a consolidation ratio of at least 100% by {year}?"},
    "answer.consolidation.total.end": {
        "sv": "Mätt mot hela pensionsförpliktelsen (avsättning + ansvarsförbindelse) är sannolikheten {p} "
              "att konsolideringsgraden är minst 100 % vid utgången av {year} ({interval}).",
        "en": "Measured against the whole pension obligation (provision + contingent liability) the "
              "probability is {p} that the consolidation ratio is at least 100% at the end of {year} ({interval})."},
    "answer.consolidation.total.end_deterministic": {
        "sv": "Mot hela pensionsförpliktelsen (avsättning + ansvarsförbindelse), vid utgången av {year}: {outcome}.",
        "en": "Against the whole pension obligation (provision + contingent liability), at the end of {year}: "
              "{outcome}."},
    "answer.consolidation.booked.end": {
        "sv": "Mätt mot den bokförda avsättningen enbart (pensionsskuldens bokförda värde) är sannolikheten {p} "
              "({interval}).",
        "en": "Measured against the booked provision alone (the pension debt's booked value) the probability "
              "is {p} ({interval})."},
    "answer.consolidation.booked.end_deterministic": {
        "sv": "Mot den bokförda avsättningen enbart, vid utgången av {year}: {outcome}.",
        "en": "Against the booked provision alone, at the end of {year}: {outcome}."},
    "answer.consolidation.total.reached": {
        "sv": "Att nivån nås något år till och med {year} (hela förpliktelsen): {p} ({interval}).",
        "en": "Reaching the level in some year up to {year} (whole obligation): {p} ({interval})."},
    "answer.consolidation.total.reached_deterministic": {
        "sv": "Nås något år till och med {year} (hela förpliktelsen): {outcome}.",
        "en": "Reached in some year up to {year} (whole obligation): {outcome}."},
    "answer.consolidation.booked.reached": {
        "sv": "Att nivån nås något år till och med {year} (avsättningen enbart): {p} ({interval}).",
        "en": "Reaching the level in some year up to {year} (provision alone): {p} ({interval})."},
    "answer.consolidation.booked.reached_deterministic": {
        "sv": "Nås något år till och med {year} (avsättningen enbart): {outcome}.",
        "en": "Reached in some year up to {year} (provision alone): {outcome}."},
    "answer.consolidation.booked_missing": {
        "sv": "Körningen innehåller inte måttet på den bokförda avsättningen enbart; målets ordalydelse "
              "(\u201dpensionsskuldens bokförda värde\u201d) pekar på det måttet.",
        "en": "The run does not carry the measure on the booked provision alone, which the goal's wording "
              "(\u201cthe pension debt's booked value\u201d) points to."},
    "answer.consolidation.median.consolidation_ratio": {
        "sv": "Konsolideringsgrad på hela förpliktelsen, median: {first} ({first_year}) och {last} ({last_year}).",
        "en": "Consolidation ratio on the whole obligation, median: {first} ({first_year}) and {last} "
              "({last_year})."},
    "answer.consolidation.median.consolidation_ratio_booked": {
        "sv": "Konsolideringsgrad på avsättningen, median: {first} ({first_year}) och {last} ({last_year}).",
        "en": "Consolidation ratio on the provision, median: {first} ({first_year}) and {last} ({last_year})."},
    "answer.equity.question": {"sv": "Hur utvecklas aktieandelen i pensionsportföljen?",
                               "en": "How does the equity share of the pension portfolio develop?"},
    "answer.equity.medians": {"sv": "Aktieandelen vid årets slut, median: {medians}.",
                              "en": "The equity share at year end, median: {medians}."},
    "answer.equity.low": {"sv": "I vart tjugonde utfall är den lägre än {p5} år {year}.",
                          "en": "In one path in twenty it is below {p5} in {year}."},
    "answer.equity.derisking": {
        "sv": "Riskprincipen tvingar ner aktieandelen under den strategiska nivån någon gång i {p} av "
              "utfallen, i genomsnitt {months} månader per år.",
        "en": "The drawdown rule forces the equity share below its strategic level at some point in {p} of "
              "the paths, on average {months} months a year."},
    "answer.equity.breach": {
        "sv": "Skyddsnivån underskrids ändå, mellan två ombalanseringar, i {p} av utfallen ({interval}).",
        "en": "The protection level is still breached between two rebalancings in {p} of the paths "
              "({interval})."},
    # goal definitions
    "def.all_of": {"sv": "Alla dessa mål uppfyllda i samma utfall: {parts}.",
                   "en": "All of these goals met on the same path: {parts}."},
    "def.metric": {"sv": "{metric} {comparison} {threshold} {when}.",
                   "en": "{metric} {comparison} {threshold} {when}."},
    "def.when_all": {"sv": "varje år {years}", "en": "in every year {years}"},
    "def.when_any": {"sv": "något år {years}", "en": "in some year {years}"},
    "def.when_last": {"sv": "vid utgången av {year}", "en": "at the end of {year}"},
    "denominator.result_share_of_tax_and_grants": {
        "sv": "Nämnare: skatteintäkter + generella statsbidrag och utjämning.",
        "en": "Denominator: tax revenue + general state grants and equalisation."},
    "denominator.consolidation_ratio": {
        "sv": "Nämnare: hela pensionsförpliktelsen, avsättning + ansvarsförbindelse.",
        "en": "Denominator: the whole pension obligation, provision + contingent liability."},
    "denominator.consolidation_ratio_booked": {
        "sv": "Nämnare: den bokförda avsättningen för pensioner (utan ansvarsförbindelsen).",
        "en": "Denominator: the booked pension provision (without the contingent liability)."},
    # texts
    "text.definition": {"sv": "Definition", "en": "Definition"},
    "text.interval_covers_default": {
        "sv": "Intervallen är 95 % konfidensintervall (Wilson) för simuleringsfelet: hur mycket sannolikheten "
              "kan skilja sig från den som oändligt många simulerade utfall skulle ge. De omfattar inte osäkerheten i "
              "modellens antaganden; den visas i avsnittet om antagandenas betydelse när körningen har den.",
        "en": "The intervals are 95% (Wilson) confidence intervals for the simulation error: how far the "
              "probability may lie from what infinitely many paths would give. They do not cover the "
              "uncertainty of the model's assumptions; that is shown in the section on the assumptions "
              "when the run carries it."},
    "text.interval_covers_parameters": {
        "sv": "Intervallen är 95 % konfidensintervall (Wilson) för simuleringsfelet. Varje utfall drar här de "
              "kalibrerade parametrarna ur deras skattade fördelning, så sannolikheten väger också in "
              "skattningsfelet i drivarnas parametrar; bedömningsparametrarna hålls fasta och visas i "
              "avsnittet om antagandenas betydelse.",
        "en": "The intervals are 95% (Wilson) confidence intervals for the simulation error. Each path here "
              "draws the calibrated parameters from their estimated distribution, so the probability also "
              "weighs in the estimation error of the drivers' parameters; the judgment parameters are held "
              "fixed and shown in the section on the assumptions."},
    "text.deterministic_note": {
        "sv": "En deterministisk körning är ett enda utfall utan slumpmässiga störningar: varje mål är "
              "uppfyllt eller ej uppfyllt, utan sannolikhet eller intervall.",
        "en": "A deterministic run is a single path without random shocks: each goal is met or not met, "
              "with no probability or interval."},
    "text.goals_intro": {
        "sv": "Sannolikheten är andelen simulerade utfall där målet är uppfyllt.",
        "en": "The probability is the share of simulated paths on which the goal is met."},
    "text.paths_meeting": {"sv": "{n} av {of}", "en": "{n} of {of}"},
    "text.comparison_intro": {
        "sv": "Samma mål i varje körning. Oförändrad politik visar utvecklingen om inga åtgärder vidtas; "
              "det besvarar en annan fråga än sannolikheten med regionens reaktioner.",
        "en": "The same goals in each run. Unchanged policy shows what happens if no measures are taken; "
              "it answers a different question from the probability with the region's reactions."},
    "text.policy_none": {
        "sv": "Ingen reaktionsregel: oförändrad politik, utvecklingen om inga åtgärder vidtas utöver den antagna "
              "planen. Inga besparingar eller skattehöjningar utöver planen och scenariots egna beslut, inga "
              "pausade avsättningar till pensionsmedlen och inga synnerliga skäl utöver de angivna; planens ännu "
              "inte identifierade effektiviseringar blir verklighet bara i den mån planglidningen säger, och "
              "budgetavvikelsen klingar av i förvaltningens egen takt.",
        "en": "No reaction rule: unchanged policy, what happens if no measures are taken beyond the adopted plan. "
              "No savings or tax rises beyond the plan and the scenario's own decisions, no paused deposits to "
              "the pension fund and no synnerliga skäl beyond those entered; the plan's efficiencies not yet "
              "identified come true only as far as the plan slippage says, and the budget deviation fades at "
              "the administration's own pace."},
    "text.policy_named": {"sv": "Reaktionsregel i kraft: {name}.", "en": "Reaction rule in force: {name}."},
    "text.instruments_note": {"sv": "Medianutfallet: hälften av de simulerade utfallen använder mindre. Dåliga utfall: vart tionde utfall använder minst så mycket ({q}:e percentilen). Regelns tak: det mesta åtgärdsplanen tillåter.",
                             "en": "Median outcome: half the simulated outcomes use less. Bad outcomes: one outcome in ten uses at least this much (the {q}th percentile). The rule's cap: the most the action plan allows."},
    "text.fans_intro": {
        "sv": "Solfjädrarna visar spridningen över utfallen: ljust fält 5–95 %, mörkt fält 25–75 %, linjen "
              "medianen. Den streckade linjen är utfallet utan slumpmässiga störningar när den finns; den prickade "
              "en målnivå eller gräns.",
        "en": "The fans show the spread over the paths: light band 5–95%, dark band 25–75%, the line the "
              "median. The dashed line is the path without random shocks when given; the dotted one a target "
              "or limit."},
    "text.equity_intro": {
        "sv": "Dynamiska riskprincipen sänker aktieandelen när portföljen närmar sig skyddsnivån (80 % av "
              "högsta värdet de senaste 24 månaderna). Djupet mäts i procentenheter under den andel portföljen "
              "har när regeln inte begränsar (den strategiska andelen, högst policytaket).",
        "en": "The drawdown rule lowers the equity share as the portfolio nears its protection level (80% of "
              "the highest value of the last 24 months). Depth is measured in percentage points below the "
              "share held when the rule does not bind (the strategic share, at most the policy cap)."},
    "text.tornado_intro": {
        "sv": "Varje stapel visar målets sannolikhet när ett bedömt antagande sätts lågt respektive högt, på "
              "samma slumptal som körningen; den lodräta linjen är körningens sannolikhet.",
        "en": "Each bar shows the goal's probability with one judgment parameter set low and high, on the "
              "run's random numbers; the vertical line is the run's probability."},
    "text.attribution_intro": {
        "sv": "Medelvärden bland utfall som når målet och bland utfall som missar det: de största skillnaderna "
              "pekar på varför utfall missar.",
        "en": "Means among the paths that meet the goal and among those that miss it: the largest differences "
              "point to why paths miss."},
    "text.sweep_intro": {"sv": "Varje variant är körd på samma slumptal: {n} varianter, vardera {paths} simulerade utfall. Rutorna visar målets sannolikhet för varje kombination av styrmedel.",
                        "en": "Every variant is run on the same random numbers: {n} variants, each {paths} simulated outcomes. The cells show the goal's probability for each combination of levers."},
    "text.sweep_note": {"sv": "Sannolikhet med 95 % konfidensintervall inom parentes, därefter skillnaden mot referensvarianten i procentenheter ± 1,96 parvisa standardfel (samma simulerade utfall).",
                       "en": "Probability with its 95% confidence interval in brackets, then the difference from the reference variant in percentage points ± 1.96 paired standard errors (the same simulated outcomes)."},
    "text.reference": {"sv": "referens", "en": "reference"},
    # the terminal tables of run, sweep and compare with --lang (simulator.report.console)
    "console.policy": {"sv": "Politik", "en": "Policy"},
    "console.compared_as": {"sv": "Jämförd", "en": "Compared"},
    "console.paired": {"sv": "parvis", "en": "paired"},
    "console.independent": {"sv": "oberoende", "en": "independent"},
    "console.condition": {
        "sv": "Villkor: {expression}: {kept} av {total} utfall behålls; svaren nedan gäller givet villkoret",
        "en": "Condition: {expression}: {kept} of {total} paths kept; the answers below are given it"},
    "console.sweep_note": {
        "sv": "Sannolikhet per mål; inom parentes skillnaden mot referensvarianten i procentenheter ± 1,96 "
              "parvisa standardfel (samma simulerade utfall i alla varianter).",
        "en": "Probability per goal; in brackets the difference from the reference variant in percentage "
              "points ± 1.96 paired standard errors (the same paths in every variant)."},
    "text.paired_intro": {
        "sv": "Körningar med samma frö och antal utfall jämförs utfall för utfall; standardfelet är de parvisa "
              "skillnadernas. Vunna utfall når målet bara i den andra körningen, förlorade bara i den första.",
        "en": "Runs sharing seed and paths are compared path by path; the standard error is that of the paired "
              "differences. Gained paths meet the goal only in the other run, lost ones only in the first."},
    "text.assumptions_note": {
        "sv": "Värden ur det upplösta scenariot som körningen sparade.",
        "en": "Values from the resolved scenario the run stored."},
    "text.provenance_intro": {
        "sv": "Uppgifter för att köra om och granska resultaten.",
        "en": "What is needed to rerun and check the results."},
    "text.no_goals": {"sv": "(scenariot anger inga mål)", "en": "(the scenario declares no goals)"},
    "text.no_paired": {"sv": "(inga körningar att jämföra parvis)", "en": "(no runs to compare in pairs)"},
    # run labels
    "run.unchanged": {"sv": "Oförändrad politik", "en": "Unchanged policy"},
    "run.policy": {"sv": "Med reaktionsregel ({name})", "en": "With reaction rule ({name})"},
    "run.deterministic": {"sv": "Planen utan störningar", "en": "The plan without shocks"},
    # tables and columns
    "table.risks": {"sv": "Risker", "en": "Risks"},
    "table.policy_settings": {"sv": "Reaktionsregelns inställningar", "en": "The reaction rule's settings"},
    "table.instruments": {"sv": "Åtgärderna per simulerat utfall {years}",
                         "en": "The measures per simulated outcome {years}"},
    "table.equity_risks": {"sv": "Riskminskning och skyddsnivå", "en": "De-risking and protection level"},
    "table.sweep": {"sv": "Varianterna", "en": "The variants"},
    "table.assumptions": {"sv": "Huvudantaganden", "en": "Main assumptions"},
    "table.levers": {"sv": "Styrmedel i svepet", "en": "Levers in the sweep"},
    "col.goal": {"sv": "Mål", "en": "Goal"},
    "col.outcome": {"sv": "Utfall", "en": "Outcome"},
    "col.definition": {"sv": "Definition", "en": "Definition"},
    "col.probability": {"sv": "Sannolikhet", "en": "Probability"},
    "col.interval95": {"sv": "95 % intervall", "en": "95% interval"},
    "col.paths_meeting": {"sv": "Utfall som når målet", "en": "Paths meeting it"},
    "col.risk": {"sv": "Risk", "en": "Risk"},
    "col.any_year": {"sv": "Något år", "en": "In some year"},
    "col.setting": {"sv": "Inställning", "en": "Setting"},
    "col.value": {"sv": "Värde", "en": "Value"},
    "col.values": {"sv": "Värden", "en": "Values"},
    "col.instrument": {"sv": "Åtgärd", "en": "Measure"},
    "col.total_median": {"sv": "Medianutfallet", "en": "Median path"},
    "col.total_bad": {"sv": "Dåliga utfall ({q}:e percentilen)", "en": "Bad paths ({q}th percentile)"},
    "col.measure": {"sv": "Mått", "en": "Measure"},
    "col.variable": {"sv": "Variabel", "en": "Variable"},
    "col.mean_met": {"sv": "Medel, når målet", "en": "Mean, meeting"},
    "col.mean_missed": {"sv": "Medel, missar målet", "en": "Mean, missing"},
    "col.difference": {"sv": "Skillnad", "en": "Difference"},
    "col.run": {"sv": "Körning", "en": "Run"},
    "col.stderr_points": {"sv": "Standardfel (procentenheter)", "en": "Standard error (percentage points)"},
    "col.stderr_axis": {"sv": "Skillnad, procentenheter", "en": "Difference, percentage points"},
    "col.gained": {"sv": "Vunna utfall", "en": "Paths gained"},
    "col.lost": {"sv": "Förlorade utfall", "en": "Paths lost"},
    "col.variant": {"sv": "Variant", "en": "Variant"},
    "col.lever": {"sv": "Styrmedel", "en": "Lever"},
    "col.item": {"sv": "Uppgift", "en": "Item"},
    "risk.total_months_percentiles": {"sv": "Månader med riskminskning under hela perioden, percentiler",
                                      "en": "Months of de-risking over the whole period, percentiles"},
    "risk.size_percentiles_when_breached": {"sv": "Underskridandets storlek när det sker, percentiler",
                                            "en": "Size of the breach when it happens, percentiles"},
    # charts
    "chart.band_90": {"sv": "5–95 %", "en": "5–95%"},
    "chart.band_50": {"sv": "25–75 %", "en": "25–75%"},
    "chart.median": {"sv": "Median", "en": "Median"},
    "overlay.zero_shock": {"sv": "Utan störningar", "en": "Zero shock"},
    "chart.comparison": {"sv": "Målens sannolikhet per körning", "en": "The goals' probability per run"},
    "chart.paired": {"sv": "Parvis skillnad med 95 % intervall", "en": "Paired difference with 95% interval"},
    "chart.median_path": {"sv": "Medianutfallet", "en": "Median path"},
    "chart.bad_paths": {"sv": "Dåliga utfall ({q}:e percentilen)", "en": "Bad paths ({q}th percentile)"},
    "chart.share_paths_used": {"sv": "Andel utfall", "en": "Share of paths"},
    "chart.equity_monthly": {"sv": "Aktieandel per månad", "en": "Equity share per month"},
    "chart.depth": {"sv": "Andel utfall där regeln vid ombalanseringen sänker aktieandelen under {share}, efter djup",
                   "en": "Share of outcomes in which the rule, at a rebalancing, sets the equity share below {share}, by depth"},
    "chart.depth_band": {"sv": "{lo}–{hi} procentenheter", "en": "{lo}–{hi} percentage points"},
    "chart.depth_band_open": {"sv": "mer än {lo} procentenheter", "en": "more than {lo} percentage points"},
    "chart.derisk_months": {"sv": "Månader med riskminskning per år, medel över utfallen",
                           "en": "Months of de-risking per year, mean over the outcomes"},
    "chart.breach_by_year": {"sv": "Andel utfall där skyddsnivån underskrids, per år",
                            "en": "Share of outcomes breaching the protection level, per year"},
    "chart.low_value": {"sv": "Lågt värde", "en": "Low value"},
    "chart.high_value": {"sv": "Högt värde", "en": "High value"},
    "chart.frontier": {"sv": "Avvägning mellan målen över varianterna",
                       "en": "Trade-off between the goals over the variants"},
    "chart.frontier_line": {"sv": "Varianter som ingen annan slår på båda målen",
                            "en": "Variants no other beats on both goals"},
    # the assumption table's parameters (simulator.whatif.assumptions)
    "assumption.accounts.budget_deviation.mean_frac": {"sv": "Budgetavvikelsens medelvärde per år (andel av skatter och bidrag): ± 1,5 procentenheter (bedömning)",
        "en": "Budget deviation's mean per year (share of taxes and grants): ± 1.5 percentage points (judgment)"},
    "assumption.accounts.budget_deviation.volatility_frac": {"sv": "Budgetavvikelsens spridning per år: normala år (3 %) till krisåren i utfallet utan bedömning",
        "en": "Budget deviation's spread per year: normal years (3 %) to the crisis record alone"},
    "assumption.accounts.budget_deviation.persistence": {"sv": "Budgetavvikelsens uthållighet per år (bedömning 0,6-0,95; 0,8 halverar den på tre år)",
        "en": "Budget deviation's persistence per year (judgment 0.6-0.95; 0.8 halves it in three years)"},
    "assumption.accounts.plan_slippage.unrealised_frac": {"sv": "Planglidning: andel av planens ofinansierade kostnadsökning som inte sparas, skattad ± 1 medelfel",
        "en": "Plan slippage: share of the plan's unfunded cost growth not saved, estimate ± 1 standard error"},
    "assumption.policy.reaction.strength_frac": {"sv": "Åtgärdsplanens styrka: andel av gapet som stängs per beslut (bedömning 0,25-1)",
        "en": "The action plan's strength: share of the gap closed per decision (judgment 0.25-1)"},
    "assumption.policy.reaction.symmetric.above_target_frac": {"sv": "Överskott används över siktet + 0-4 procentenheter (3-7 % av skatter och bidrag)",
        "en": "Surpluses are spent above the aim + 0-4 percentage points (3-7 % of taxes and grants)"},
    "assumption.pension.deposits.surplus_share_frac": {"sv": "Andel av överskottet över 2 % som avsätts till pensionsmedlen: 25-75 % (bedömning)",
        "en": "Share of the surplus above 2 % deposited to the pension fund: 25-75 % (judgment)"},
    "assumption.economy.wage.real_growth_pa": {"sv": "Real löneutveckling per år: ± 0,6 procentenheter (bedömning)",
        "en": "Real wage growth per year: ± 0.6 percentage points (judgment)"},
    "assumption.economy.equity.calm.log_drift_pa": {"sv": "Aktiepremien: lugna regimens förväntade avkastning, båda marknaderna ± 2 procentenheter",
        "en": "The equity premium: the calm regime's expected return, both markets ± 2 percentage points"},
    "assumption.accounts.after_plan.general_grants_growth_pa": {"sv": "Generella statsbidragens politiska del, tillväxt per år efter planen: 1-3 % (bedömning)",
        "en": "General grants' political part, growth per year after the plan: 1-3 % (judgment)"},
    # the robustness table's contested choices at the sceptic's reading (simulator.whatif.robustness)
    "robustness.plan_slippage": {"sv": "Planen glider mer: skattningen + 1 medelfel (revideringen som blev budget lämnade 94 % osparat)",
        "en": "The plan slips more: the estimate + 1 standard error (the revision that became a budget left 94 % unsaved)"},
    "robustness.spending_band": {"sv": "Varje överskott över siktet (3 %) används, inget band upp till 4 %",
        "en": "Every surplus above the aim (3 %) is spent, no band up to 4 %"},
    "robustness.no_tax_rises": {"sv": "Åtgärdsplanen höjer inte skatten: bara besparingar, som i planen",
        "en": "The action plan raises no taxes: savings only, as in the plan"},
    "robustness.deposit_cap_booked": {"sv": "Avsättningen upphör vid den bokförda avsättningen (målets ordalydelse), inte hela förpliktelsen",
        "en": "Deposits stop at the booked provision (the goal's wording), not the whole obligation"},
    "robustness.deposit_share": {"sv": "Halva andelen av överskottet avsätts till pensionsmedlen",
        "en": "Half the share of the surplus goes to the pension fund"},
    "robustness.budget_deviation_record_alone": {"sv": "Budgetavvikelsen som utfallet 2020-2024 ensamt ger, utan bedömningens a priori-fördelning",
        "en": "The budget deviation as the 2020-2024 record alone gives it, without the judgment prior"},
    "robustness.drp_acting": {"sv": "Dynamiska riskprincipen på det andra sättet: bara vid tertialskiften, eller också omedelbart",
        "en": "The dynamic risk rule acted on the other way: only at the tertial follow-up, or also at once"},
    "robustness.sceptics_combination": {"sv": "Skeptikerns kombination: alla alternativ ovan på en gång",
        "en": "The sceptic's combination: every alternative above at once"},
    "robustness.rule.scheduled": {"sv": "Förvaltarna agerar var {months}:e månad (vid tertialuppföljningen)",
        "en": "The managers act every {months} months (at the tertial follow-up)"},
    "robustness.rule.trigger": {"sv": "Förvaltarna agerar var {months}:e månad och omedelbart när maxandelen ligger {points} procentenheter under innehavet",
        "en": "The managers act every {months} months and at once when the maximum share is {points} percentage points below the holding"},
    # the känslighetsanalys items (simulator.whatif.sensitivity)
    "sensitivity.title": {"sv": "Känslighetsanalys {year}: effekt på årets resultat, MSEK (årsredovisningen 2024 inom parentes)",
        "en": "Sensitivity analysis {year}: effect on the result for the year, MSEK (annual report 2024 in brackets)"},
    "sensitivity.tax_base_plus_1pct": {"sv": "Skatteintäkter (skatteunderlag) +1 %", "en": "Tax revenue (tax base) +1 %"},
    "sensitivity.tax_rate_plus_1kr": {"sv": "Skattesats +1 kr", "en": "Tax rate +1 kr"},
    "sensitivity.general_grants_plus_1pct": {"sv": "Generella statsbidrag och utjämning +1 %", "en": "General grants and equalisation +1 %"},
    "sensitivity.drug_grant_plus_1pct": {"sv": "Läkemedelsbidrag +1 %", "en": "Drug grant +1 %"},
    "sensitivity.personnel_costs_plus_1pct": {"sv": "Personalkostnader exkl. pensioner +1 %", "en": "Personnel costs excl. pensions +1 %"},
    "sensitivity.pension_costs_plus_1pct": {"sv": "Pensionskostnader +1 %", "en": "Pension costs +1 %"},
    "sensitivity.purchased_services_plus_1pct": {"sv": "Köp av verksamhet +1 %", "en": "Purchased services +1 %"},
    "sensitivity.drug_costs_plus_1pct": {"sv": "Läkemedelskostnader +1 %", "en": "Drug costs +1 %"},
    # the events summary.json counts (simulator.run.summary)
    "risk.loan_limit_breach": {"sv": "Låneskulden över låneramen vid årets slut",
        "en": "Loans above the loan limit at year end"},
    "risk.debt_ceiling_breach": {"sv": "Skuldsättningsgraden över skuldsättningstaket vid årets slut",
        "en": "Debt ratio above the debt ceiling at year end"},
    "risk.overdraft_used": {"sv": "Checkräkningskrediten utnyttjad vid årets slut",
        "en": "Overdraft facility drawn at year end"},
    "risk.derisking": {"sv": "Dynamiska riskprincipen tvingar ner aktieandelen under den strategiska",
        "en": "The dynamic risk rule forces the equity share below the strategic one"},
    "risk.protection_breach": {"sv": "Portföljen föll under skyddsnivån mellan två ombalanseringar",
        "en": "The portfolio fell below the protection level between two rebalancings"},
    # one title per variable: tables, charts, the store's long_name_sv, the terminal (simulator.variables)
    "var.inflation": {"sv": "Inflation (KPI, dec–dec)", "en": "Inflation (CPI, Dec–Dec)"},
    "var.kpi_index": {"sv": "KPI-index (1 vid öppningen)", "en": "KPI index at December, 1 at the opening year-end"},
    "var.short_rate": {"sv": "Kort ränta (årsmedel)", "en": "Short interest rate (annual mean)"},
    "var.long_rate": {"sv": "Lång ränta (årsmedel)", "en": "Long interest rate (annual mean)"},
    "var.equity_return_sweden": {"sv": "Avkastning svenska aktier", "en": "Swedish equity total return over the year"},
    "var.equity_return_global": {"sv": "Avkastning globala aktier",
                                 "en": "Global equity total return in SEK over the year"},
    "var.equity_return": {"sv": "Börsavkastning (aktiemixen)", "en": "Equity return (the equity mix)"},
    "var.tax_base_growth": {"sv": "Skatteunderlagets tillväxt", "en": "Tax base growth"},
    "var.tax_base_index": {"sv": "Skatteunderlag (index, 1 vid öppningen)", "en": "Tax base index at year end, 1 at the opening year-end"},
    "var.wage_growth": {"sv": "Löneutveckling", "en": "Wage growth over the year"},
    "var.wage_index": {"sv": "Lönenivå (index, 1 vid öppningen)", "en": "Wage index at year end, 1 at the opening year-end"},
    "var.prisbasbelopp_sek": {"sv": "Prisbasbelopp (kr)", "en": "Prisbasbelopp for the year"},
    "var.inkomstbasbelopp_index": {"sv": "Inkomstbasbelopp (index)",
                                   "en": "Inkomstbasbelopp index, first simulated year = 1 (follows the previous year's wage growth)"},
    "var.tax_rate_kr": {"sv": "Skattesats (kr)",
                        "en": "Tax rate in force, kr per 100 kr of tax base (incl. the reaction's rises)"},
    "var.tax_base_msek": {"sv": "Skatteunderlag", "en": "The region's tax base"},
    "var.tax_revenue_msek": {"sv": "Skatteintäkter", "en": "Tax revenue"},
    "var.general_grants_msek": {"sv": "Generella statsbidrag och utjämning (exkl. läkemedelsbidrag)",
                                "en": "General state grants and equalisation, excluding the drug grant"},
    "var.income_equalisation_msek": {"sv": "Inkomstutjämning (del av generella statsbidrag)",
                                     "en": "Income equalisation (inkomstutjämning) share of the general grants"},
    "var.drug_grant_msek": {"sv": "Statsbidrag läkemedel", "en": "State grant for drugs"},
    "var.fees_and_sales_msek": {"sv": "Verksamhetens intäkter (avgifter, försäljning)", "en": "Fees and sales"},
    "var.targeted_grants_msek": {"sv": "Riktade statsbidrag", "en": "Targeted state grants"},
    "var.personnel_costs_msek": {"sv": "Personalkostnader exkl. pensioner", "en": "Personnel costs excluding pensions"},
    "var.pension_costs_msek": {"sv": "Pensionskostnader", "en": "Pension costs in operating costs"},
    "var.purchased_care_costs_msek": {"sv": "Köp av verksamhet", "en": "Purchased care and services"},
    "var.drug_costs_msek": {"sv": "Läkemedelskostnader", "en": "Drug costs"},
    "var.other_costs_msek": {"sv": "Övriga kostnader", "en": "Other operating costs"},
    "var.price_index_personnel": {"sv": "Prisindex personal", "en": "Price index of personnel costs (wages), 1 at the opening year-end"},
    "var.price_index_pensions": {"sv": "Prisindex pensioner", "en": "Price index of pension costs, 1 at the opening year-end"},
    "var.price_index_purchased_care": {"sv": "Prisindex köpt vård", "en": "Price index of purchased care, 1 at the opening year-end"},
    "var.price_index_drugs": {"sv": "Prisindex läkemedel", "en": "Price index of drug costs, 1 at the opening year-end"},
    "var.price_index_other": {"sv": "Prisindex övrigt", "en": "Price index of other costs, 1 at the opening year-end"},
    "var.pension_income_indexation_msek": {"sv": "Pensionskostnad av inkomstbasbeloppets uppräkning",
                                           "en": "Pension costs from the provision's inkomstbasbelopp indexation beyond the zero-shock path (in pension costs)"},
    "var.budgeted_costs_msek": {"sv": "Budgeterade kostnader",
                                "en": "Budgeted operating costs after savings programmes"},
    "var.savings_programme_msek": {"sv": "Sparprogram (beslutat i scenariot)",
                                   "en": "Cut of the year's budget by the savings programme lever"},
    "var.plan_slippage_msek": {"sv": "Planglidning: planens ofinansierade kostnadsökning som inte sparas",
                               "en": "Plan slippage: the plan's unfunded cost growth not saved"},
    "var.budget_deviation_msek": {"sv": "Budgetavvikelse",
                                  "en": "Budget deviation of the result (budgetavvikelse; positive = better than budget), in operating costs"},
    "var.budget_deviation_frac": {"sv": "Budgetavvikelse, andel av skatter och bidrag",
                                  "en": "Budget deviation level as a share of taxes and grants"},
    "var.reaction_savings_msek": {"sv": "Besparingar", "en": "Savings"},
    "var.reaction_savings_frac": {"sv": "Åtgärdsplan: besparing, andel av budget",
                                  "en": "Reaction savings in effect as a share of the budget"},
    "var.reaction_tax_kr": {"sv": "Skatteändring enligt åtgärdsplanen (kr per 100 kr)",
                            "en": "Tax change by the reaction rule (SEK per 100 SEK)"},
    "var.reaction_deposits_paused": {"sv": "Pausade inbetalningar till pensionsmedlen",
                                     "en": "Paused deposits to the pension fund"},
    "var.reaction_synnerliga_skal_msek": {"sv": "Synnerliga skäl åberopade", "en": "Exceptional reasons invoked"},
    "var.reaction_gap_msek": {"sv": "Åtgärdsplan: gap att stänga",
                              "en": "Improvement of the balance-requirement result the reaction rule decided to close at this year end"},
    "var.reaction_triggered": {"sv": "Åtgärdsplan utlöst (1 = ja)",
                               "en": "1 when the reaction rule was triggered at this year end"},
    "var.operating_costs_msek": {"sv": "Verksamhetens kostnader", "en": "Operating costs, total"},
    "var.depreciation_msek": {"sv": "Avskrivningar", "en": "Depreciation (booked: the plan's in plan years)"},
    "var.depreciation_model_msek": {"sv": "Avskrivningar enligt anskaffningsår",
                                    "en": "Depreciation by vintage (the model's, also in plan years)"},
    "var.fixed_assets_msek": {"sv": "Materiella och immateriella anläggningstillgångar",
                              "en": "Fixed assets excluding financial fixed assets at year end"},
    "var.pension_assets_start_msek": {"sv": "Pensionsmedel vid årets början", "en": "Pension portfolio at the start of the year"},
    "var.portfolio_return_msek": {"sv": "Pensionsportföljens värdeförändring",
                                  "en": "Pension portfolio's market change over the year, after fees"},
    "var.portfolio_fees_msek": {"sv": "Förvaltningsavgifter", "en": "Management fees taken from the pension portfolio"},
    "var.cash_interest_msek": {"sv": "Ränta på likvida medel", "en": "Interest on cash (model value)"},
    "var.financial_income_msek": {"sv": "Finansiella intäkter",
                                  "en": "Financial income (net portfolio return included)"},
    "var.pension_interest_msek": {"sv": "Räntedel pensioner", "en": "Interest component of the pension provision"},
    "var.opening_loan_interest_msek": {"sv": "Ränta på årets ingående lån", "en": "Interest on the year's opening loans and overdraft"},
    "var.new_loan_interest_msek": {"sv": "Ränta på årets nya lån", "en": "Interest on the year's new loans (model value)"},
    "var.loan_interest_msek": {"sv": "Låneräntor", "en": "Interest on loans and the overdraft (model value)"},
    "var.financial_costs_msek": {"sv": "Finansiella kostnader", "en": "Financial costs"},
    "var.result_msek": {"sv": "Årets resultat", "en": "Result for the year"},
    "var.result_excl_portfolio_change_msek": {"sv": "Resultat exkl. pensionsportföljens värdeförändring",
                                              "en": "Result excluding the pension portfolio's market change (what the plan budgets)"},
    "var.tax_and_grants_msek": {"sv": "Skatteintäkter och generella statsbidrag",
                                "en": "Tax revenue + general grants and equalisation incl. the drug grant"},
    "var.result_share_of_tax_and_grants": {"sv": "Årets resultat i % av skatteintäkter och generella statsbidrag",
                                           "en": "Result as % of tax revenue and general grants"},
    "var.balance_requirement_result_before_reserve_msek": {"sv": "Balanskravsresultat före resultatreserv",
                                                           "en": "Balance-requirement result before the resultatreserv"},
    "var.balance_requirement_result_msek": {"sv": "Balanskravsresultat", "en": "Balance-requirement result"},
    "var.synnerliga_skal_msek": {"sv": "Synnerliga skäl (undantaget från återställande)",
                                 "en": "Deficit exempted from restoration by synnerliga skäl"},
    "var.deficit_pace_msek": {"sv": "Återställandetakt som krävs",
                              "en": "Balance-requirement result a year needs to restore every deficit by its deadline at an even pace"},
    "var.resultatreserv_msek": {"sv": "Resultatreserv", "en": "Resultatreserv balance at year end"},
    "var.deficit_outstanding_msek": {"sv": "Ej återställt negativt balanskravsresultat",
                                     "en": "Negative balance-requirement results not yet restored"},
    "var.deficit_overdue_msek": {"sv": "Ej återställt efter sista år (alla år)",
                                 "en": "Unrestored deficits whose deadline has passed (all vintages)"},
    "var.opening_deficit_overdue_msek": {"sv": "Ej återställda underskott från före öppningen, efter sista år",
                                         "en": "Unrestored deficits from before the opening year-end, deadline passed"},
    "var.equity_msek": {"sv": "Eget kapital", "en": "Equity"},
    "var.equity_incl_pension_liability_msek": {"sv": "Eget kapital inkl. ansvarsförbindelse",
                                               "en": "Equity minus the pension liability off the balance sheet"},
    "var.total_assets_msek": {"sv": "Summa tillgångar", "en": "Total assets"},
    "var.solidity": {"sv": "Soliditet", "en": "Equity over total assets"},
    "var.solidity_incl_pension_liability": {"sv": "Soliditet inkl. ansvarsförbindelse",
                                            "en": "Equity minus pension liability over total assets"},
    "var.cash_msek": {"sv": "Kassa och bank", "en": "Cash at year end"},
    "var.loans_msek": {"sv": "Låneskuld", "en": "Loans"},
    "var.overdraft_msek": {"sv": "Utnyttjad checkräkningskredit", "en": "Overdraft facility drawn at year end"},
    "var.new_borrowing_msek": {"sv": "Nyupplåning netto", "en": "New borrowing less repayments in the year"},
    "var.loan_capacity_msek": {"sv": "Låneutrymme (låneram och skuldsättningstak)",
                               "en": "Loans allowed: the lower of the loan limit and the debt ceiling's room"},
    "var.debt_ratio": {"sv": "Skuldsättningsgrad (mot skuldsättningstaket)",
                       "en": "Interest-bearing debt excl. the pension debt over taxes and general grants"},
    "var.loan_limit_breach": {"sv": "Låneram överskriden vid årets slut (1 = ja)",
                              "en": "1 when the loans at year end are above the nominal loan limit"},
    "var.debt_ceiling_breach": {"sv": "Skuldsättningstak överskridet (1 = ja)",
                                "en": "1 when the debt ratio at year end is above the debt ceiling"},
    "var.borrowing_shortfall_msek": {"sv": "Låneskuld över låneutrymmet",
                                     "en": "Loans above the loan capacity at year end"},
    "var.unmet_borrowing_msek": {"sv": "Lånebehov utöver låneutrymmet",
                                 "en": "Borrowing the limits refused in the year (cash below its minimum)"},
    "var.loan_rate": {"sv": "Låneränta", "en": "Average interest rate on loans"},
    "var.investments_msek": {"sv": "Investeringar", "en": "Investments"},
    "var.pension_assets_msek": {"sv": "Pensionsmedel (marknadsvärde)", "en": "Pension portfolio at market value"},
    "var.pension_provision_msek": {"sv": "Avsättning för pensioner", "en": "Pension provision on the balance sheet"},
    "var.pension_liability_msek": {"sv": "Ansvarsförbindelse", "en": "Pension liability off the balance sheet"},
    "var.pension_obligation_msek": {"sv": "Pensionsförpliktelse", "en": "Pension obligation: provision + liability"},
    "var.consolidation_ratio": {"sv": "Konsolideringsgrad, avsättning + ansvarsförbindelse",
                                "en": "Consolidation ratio, provision + contingent liability"},
    "var.consolidation_ratio_booked": {"sv": "Konsolideringsgrad, bokförd avsättning",
                                       "en": "Consolidation ratio, booked provision"},
    "var.equity_share": {"sv": "Aktieandel vid årets slut", "en": "Equity share at year end"},
    "var.derisking_months": {"sv": "Månader med riskminskning",
                             "en": "Months in the year with the rule's maximum below the strategic share"},
    "var.derisking": {"sv": "Riskminskning under året (1 = ja)",
                      "en": "1 when the rule forced de-risking in some month of the year"},
    "var.protection_breach": {"sv": "Skyddsnivån underskriden (1 = ja)",
                              "en": "1 when the unit index fell below the protection level in some month"},
    "var.protection_breach_months": {"sv": "Månader under skyddsnivån",
                                     "en": "Months in the year with the unit index below the protection level"},
    "var.months_below_half_equity": {"sv": "Månader med aktieandel under 50 %",
                                     "en": "Months in the year with the equity share held below 50 %"},
    "var.months_far_below_strategic": {"sv": "Månader med aktieandel minst 10 procentenheter under den strategiska",
                                       "en": "Months in the year with the equity share held 10 pp or more below the strategic share"},
    "var.derisking_longest_spell_months": {"sv": "Längsta period med riskminskning (månader)",
                                           "en": "Longest run of de-risking months so far"},
    "var.protection_breach_size": {"sv": "Största underskridande av skyddsnivån",
                                   "en": "Largest shortfall below the protection level, 1 - index / level"},
    "var.pension_deposits_msek": {"sv": "Avsättning till pensionsmedel",
                                  "en": "Deposits to the pension portfolio at year end"},
    "var.pension_deposit_cap_msek": {"sv": "Tak för avsättning: högsta värde på pensionsmedlen efter en avsättning",
                                     "en": "Deposit cap: the most the pension portfolio may hold after a deposit"},
    "var.pension_withdrawals_msek": {"sv": "Uttag ur pensionsmedel",
                                     "en": "Withdrawals from the pension portfolio at year end"},
    "var.realised_securities_gains_msek": {"sv": "Realiserade vinster, värdepapper",
                                           "en": "Gains realised in the pension portfolio"},
    "var.unrealised_gains_msek": {"sv": "Orealiserade vinster, värdepapper",
                                  "en": "Unrealised gains in the pension portfolio at year end"},
    "monthly.equity_share": {"sv": "Aktieandel (månad)",
                             "en": "Equity share of the pension portfolio after rebalancing"},
    "monthly.inflation": {"sv": "Inflationstakt (månad, årstakt)",
                          "en": "KPI inflation rate in the month, annualised log rate"},
    "monthly.short_rate": {"sv": "Kort ränta", "en": "Short interest rate"},
    "monthly.long_rate": {"sv": "Lång ränta", "en": "Long interest rate"},
    "monthly.term_spread": {"sv": "Räntedifferens lång-kort", "en": "Long minus short rate before any floor"},
    "monthly.equity_sweden_log": {"sv": "Svenska aktier, logavkastning",
                                  "en": "Swedish equity log total return in the month"},
    "monthly.equity_global_log": {"sv": "Globala aktier, logavkastning",
                                  "en": "Global equity log total return in the month"},
    "monthly.tax_base_log_growth": {"sv": "Skatteunderlag, logtillväxt",
                                    "en": "Log growth of the tax base in the month"},
    "monthly.wage_log_growth": {"sv": "Löner, logtillväxt", "en": "Log growth of wages in the month"},
    "monthly.lagged_inflation": {"sv": "Eftersläpande inflation",
                                 "en": "Lagged inflation that wages and the tax base follow (annualised log rate)"},
    "monthly.inflation_regime": {"sv": "Inflationsregim", "en": "Inflation regime: 0 normal, 1 shock"},
    "monthly.equity_regime": {"sv": "Börsregim", "en": "Equity regime: 0 calm, 1 crash"},
    # the reference line drawn into a fan (a legend entry)
    "chart.reference.goal": {"sv": "målet", "en": "the goal"},
    "chart.reference.zero": {"sv": "noll", "en": "zero"},
    "chart.reference.one": {"sv": "100 %", "en": "100 %"},
    "chart.reference.loan_limit": {"sv": "låneramen", "en": "the loan limit"},
    "chart.reference.inflation_target": {"sv": "inflationsmålet", "en": "the inflation target"},
    # axis units
    "unit.axis_msek": {"sv": "mnkr", "en": "MSEK"},
    "unit.axis_fraction": {"sv": "procent", "en": "per cent"},
    "unit.axis_kr": {"sv": "kr", "en": "SEK"},
    "unit.axis_count": {"sv": "antal", "en": "count"},
    "unit.axis_months": {"sv": "månader", "en": "months"},
    "unit.axis_share_paths": {"sv": "andel utfall", "en": "share of paths"},
    "unit.msek": {"sv": "mnkr", "en": "MSEK"},
    "unit.percent_word": {"sv": "procent", "en": "per cent"},
    "unit.points": {"sv": "procentenheter", "en": "percentage points"},
    "word.yes": {"sv": "ja", "en": "yes"},
    "word.no": {"sv": "nej", "en": "no"},
    "word.met": {"sv": "uppfyllt", "en": "met"},
    "word.not_met": {"sv": "ej uppfyllt", "en": "not met"},
    # provenance
    "prov.scenario": {"sv": "Scenario", "en": "Scenario"},
    "prov.sha256": {"sv": "Scenariots SHA-256", "en": "Scenario SHA-256"},
    "prov.sha256_computed": {"sv": "beräknad här ur det sparade scenariot",
                             "en": "computed here from the stored scenario"},
    "prov.seed": {"sv": "Frö", "en": "Seed"},
    "prov.paths": {"sv": "Simulerade utfall", "en": "Paths"},
    "prov.version": {"sv": "Version", "en": "Version"},
    "prov.date": {"sv": "Datum", "en": "Date"},
    "prov.command": {"sv": "Kommando", "en": "Command"},
    "prov.directory": {"sv": "Katalog", "en": "Directory"},
    # settings (dotted paths as --set names them)
    "param.accounts.tax_rate_kr": {"sv": "Skattesats (kr)", "en": "Tax rate (SEK)"},
    "param.accounts.tax_rate_from_year_kr": {"sv": "Ändrad skattesats från år", "en": "Tax rate changed from year"},
    "param.accounts.savings_programme.pct_by_year": {"sv": "Sparprogram, andel av kostnaderna per år",
                                                     "en": "Savings programme, share of costs per year"},
    "param.accounts.savings_programme.msek_by_year": {"sv": "Sparprogram, mnkr per år",
                                                      "en": "Savings programme, MSEK per year"},
    "param.accounts.tax_rise.kr": {"sv": "Skattehöjning (kr)", "en": "Tax rise (SEK)"},
    "param.accounts.tax_rise.from_year": {"sv": "Skattehöjning från år", "en": "Tax rise from year"},
    "param.accounts.savings_programme.pct_per_year": {"sv": "Sparprogram, procent av budgeten per år",
                                                      "en": "Savings programme, per cent of the budget a year"},
    "param.accounts.savings_programme.from_year": {"sv": "Sparprogram från år", "en": "Savings programme from year"},
    "param.accounts.savings_programme.to_year": {"sv": "Sparprogram till och med år",
                                                 "en": "Savings programme to year"},
    "param.accounts.budget_deviation.mean_frac": {"sv": "Budgetavvikelse, långsiktigt medel",
                                                  "en": "Budget deviation, long-run mean"},
    "param.accounts.budget_deviation.volatility_frac": {"sv": "Budgetavvikelse, spridning",
                                                        "en": "Budget deviation, spread"},
    "param.accounts.budget_deviation.persistence": {"sv": "Budgetavvikelse, uthållighet per år",
                                                    "en": "Budget deviation, persistence a year"},
    "param.accounts.financing.debt_ceiling_frac": {"sv": "Skuldsättningstak", "en": "Debt ceiling"},
    "param.economy.wage.real_growth_pa": {"sv": "Real löneutveckling", "en": "Real wage growth"},
    "param.economy.equity.calm.sweden_log_drift_pa": {"sv": "Svenska aktier, förväntad avkastning (lugn regim)",
                                                      "en": "Swedish equities, expected return (calm regime)"},
    "param.economy.equity.calm.global_log_drift_pa": {"sv": "Globala aktier, förväntad avkastning (lugn regim)",
                                                      "en": "Global equities, expected return (calm regime)"},
    "param.economy.equity.calm.log_drift_pa": {"sv": "Aktiepremien (lugn regim, båda marknaderna)",
                                               "en": "The equity premium (calm regime, both markets)"},
    "param.policy.reaction.enabled": {"sv": "Åtgärdsplan i kraft", "en": "Reaction rule in force"},
    "param.policy.reaction.strength_frac": {"sv": "Åtgärdsplanens styrka (andel av gapet per år)",
                                            "en": "Reaction strength (share of the gap a year)"},
    "param.policy.reaction.target_result_frac": {"sv": "Resultatmål (andel av skatter och bidrag)",
                                                 "en": "Result target (share of taxes and grants)"},
    "param.policy.reaction.aim_result_frac": {"sv": "Åtgärderna siktar på resultat",
                                              "en": "Measures aim at a result of"},
    "param.policy.reaction.on_deficit": {"sv": "Utlöses av balanskravsunderskott", "en": "Triggered by a deficit"},
    "param.policy.reaction.on_result_below_target": {"sv": "Utlöses av resultat under målet",
                                                     "en": "Triggered by a result below the target"},
    "param.policy.reaction.on_debt_above_ceiling": {"sv": "Utlöses av skuld över taket",
                                                    "en": "Triggered by debt above the ceiling"},
    "param.policy.reaction.debt_correction_years": {"sv": "År att arbeta av skuld över taket",
                                                    "en": "Years to work off debt above the ceiling"},
    "param.policy.reaction.order": {"sv": "Ordning mellan åtgärderna", "en": "Order of the measures"},
    "param.policy.reaction.pause_deposits": {"sv": "Pausar inbetalningar till pensionsmedlen",
                                             "en": "Pauses deposits to the pension fund"},
    "param.policy.reaction.savings.max_per_year_pct": {"sv": "Besparing högst per år (procent)",
                                                       "en": "Savings at most a year (per cent)"},
    "param.policy.reaction.savings.max_total_pct": {"sv": "Besparing högst totalt (procent)",
                                                    "en": "Savings at most in total (per cent)"},
    "param.policy.reaction.tax.max_per_year_kr": {"sv": "Skattehöjning högst per år (kr)",
                                                  "en": "Tax rise at most a year (SEK)"},
    "param.policy.reaction.tax.max_total_kr": {"sv": "Skattehöjning högst totalt (kr)",
                                               "en": "Tax rise at most in total (SEK)"},
    "param.policy.reaction.tax.step_kr": {"sv": "Skattehöjning i steg om (kr)", "en": "Tax rise in steps of (SEK)"},
    "param.policy.reaction.synnerliga_skal.enabled": {"sv": "Synnerliga skäl för inflationsdrivna pensionskostnader",
                                                      "en": "Synnerliga skäl for inflation-driven pension costs"},
    "param.policy.reaction.synnerliga_skal.pbb_growth_above_pa": {"sv": "… när prisbasbeloppet ökar mer än",
                                                                  "en": "… when the prisbasbelopp grows more than"},
    "param.policy.reaction.synnerliga_skal.normal_pbb_growth_pa": {"sv": "… utöver en normal ökning om",
                                                                   "en": "… beyond a normal growth of"},
    "param.policy.reaction.symmetric.enabled": {"sv": "Symmetrisk: stora överskott används",
                                                "en": "Symmetric: large surpluses are spent"},
    "param.policy.reaction.symmetric.above_target_frac": {"sv": "… det som överstiger siktet med",
                                                          "en": "… what exceeds the aim by"},
    "param.policy.reaction.symmetric.strength_frac": {"sv": "… andel av överskottet per år",
                                                      "en": "… share of the excess a year"},
    "param.policy.reaction.symmetric.max_total_pct": {"sv": "… högst totalt (procent av kostnaderna)",
                                                      "en": "… at most in total (per cent of costs)"},
    "param.accounts.after_plan.general_grants_growth_pa": {"sv": "Generella statsbidrag, tillväxt efter planen",
                                                           "en": "General grants, growth after the plan"},
    "param.accounts.after_plan.investments_msek": {"sv": "Investeringar per år efter planen",
                                                   "en": "Investments per year after the plan"},
    "param.accounts.financing.loan_limit_msek": {"sv": "Låneram", "en": "Loan limit"},
    "param.economy.inflation.target_pa": {"sv": "Inflationsmål", "en": "Inflation target"},
    "param.economy.tax_base.real_long_run_growth_pa": {"sv": "Skatteunderlagets reala tillväxt, långsiktig",
                                                       "en": "Tax base real growth, long run"},
    "param.pension.obligation.rips_real_rate_pa": {"sv": "RIPS realränta", "en": "RIPS real discount rate"},
    "param.pension.portfolio.strategic_equity_share_frac": {"sv": "Strategisk aktieandel",
                                                            "en": "Strategic equity share"},
    "param.pension.risk_rule.equity_cap_frac": {"sv": "Tak för aktieandelen", "en": "Equity share cap"},
    "param.pension.risk_rule.protection_frac": {"sv": "Skyddsnivå (andel av högsta värdet)",
                                                "en": "Protection level (share of the high)"},
    "param.pension.risk_rule.window_months": {"sv": "Fönster för högsta värdet (månader)",
                                              "en": "Window for the high (months)"},
    "param.pension.risk_rule.rebalance_every_months": {"sv": "Ombalansering var n:e månad",
                                                       "en": "Rebalancing every n months"},
    "param.pension.deposits.policy": {"sv": "Inbetalningar till pensionsmedlen, regel",
                                      "en": "Deposits to the pension fund, rule"},
    "param.pension.deposits.surplus_share_frac": {"sv": "Inbetald andel av överskottet",
                                                  "en": "Share of the surplus deposited"},
    # workbook and CSV
    "xl.sheet_goals": {"sv": "Mål", "en": "Goals"},
    "xl.sheet_risks": {"sv": "Risker", "en": "Risks"},
    "xl.sheet_percentiles": {"sv": "Percentiler per år", "en": "Percentiles per year"},
    "xl.sheet_equity_monthly": {"sv": "Aktieandel per månad", "en": "Equity share per month"},
    "xl.sheet_instruments": {"sv": "Åtgärder", "en": "Measures"},
    "xl.sheet_assumptions": {"sv": "Antaganden", "en": "Assumptions"},
    "xl.sheet_attribution": {"sv": "Varför utfall missar", "en": "Why paths miss"},
    "xl.sheet_sweep": {"sv": "Svep", "en": "Sweep"},
    "xl.sheet_comparison": {"sv": "Jämförelse", "en": "Comparison"},
    "xl.sheet_paired": {"sv": "Parvisa skillnader", "en": "Paired differences"},
    "xl.sheet_provenance": {"sv": "Ursprung", "en": "Provenance"},
    "xl.key": {"sv": "Nyckel", "en": "Key"},
    "xl.variable_key": {"sv": "Variabelnamn", "en": "Variable name"},
    "xl.unit": {"sv": "Enhet", "en": "Unit"},
    "xl.statistic": {"sv": "Mått", "en": "Statistic"},
    "xl.mean": {"sv": "medel", "en": "mean"},
    "xl.stderr": {"sv": "Standardfel", "en": "Standard error"},
    "xl.ci_low": {"sv": "95 % intervall, nedre", "en": "95% interval, lower"},
    "xl.ci_high": {"sv": "95 % intervall, övre", "en": "95% interval, upper"},
    "xl.month": {"sv": "Månad", "en": "Month"},
    "xl.year": {"sv": "År", "en": "Year"},
    "xl.bad_paths": {"sv": "Dåliga utfall", "en": "Bad paths"},
    "xl.bad_quantile": {"sv": "Percentil för dåliga utfall", "en": "Percentile for bad paths"},
    "xl.parameter": {"sv": "Parameter", "en": "Parameter"},
    "xl.p_low": {"sv": "Sannolikhet vid lågt värde", "en": "Probability at the low value"},
    "xl.p_high": {"sv": "Sannolikhet vid högt värde", "en": "Probability at the high value"},
    "xl.p_run": {"sv": "Sannolikhet i körningen", "en": "Probability in the run"},
    "xl.depth_band": {"sv": "Sänkt {lo}–{hi} procentenheter", "en": "De-risked {lo}–{hi} percentage points"},
    "xl.depth_band_open": {"sv": "Sänkt mer än {lo} procentenheter",
                           "en": "De-risked more than {lo} percentage points"},
    "xl.unit_fraction": {"sv": "%", "en": "%"},
    "xl.unit_percent": {"sv": "procent", "en": "per cent"},
    "xl.unit_points": {"sv": "procentenheter", "en": "percentage points"},
    "xl.unit_msek": {"sv": "mnkr", "en": "MSEK"},
    "xl.unit_kr": {"sv": "kr", "en": "SEK"},
    "xl.unit_int": {"sv": "antal", "en": "count"},
    "xl.unit_count": {"sv": "antal", "en": "count"},
    "xl.unit_flag": {"sv": "andel, 0–1", "en": "share, 0–1"},
    "xl.unit_year": {"sv": "år", "en": "year"},
    "xl.unit_index": {"sv": "index", "en": "index"},
    "xl.unit_number": {"sv": "tal", "en": "number"},
}


def _merge(table: dict[str, dict[str, str]], path: Path) -> None:
    """Add the TOML file's strings to ``table``; a key already there is a second home: an error."""
    extra = tomllib.loads(path.read_text(encoding="utf-8"))
    twice = sorted(set(extra) & set(table))
    if twice:
        raise ValueError(f"{path}: keys also in simulator/i18n.py: {', '.join(twice)}")
    table.update(extra)


_merge(STRINGS, STRINGS_FILE)


class UnknownLanguage(InputError, ValueError):
    """--lang names a language the report is not written in."""


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"--lang: unknown language {lang!r} (choose {' or '.join(LANGUAGES)})")
    return lang


def has(key: str) -> bool:
    return key in STRINGS


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The string ``key`` in ``lang`` with its placeholders filled; KeyError for an unknown key."""
    text = STRINGS[key][check_language(lang)]
    return text.format(**values) if values else text


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
