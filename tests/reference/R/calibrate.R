# Calibrated and replicate-weight designs: reference values from R survey on the realistic
# two-stage sample of design.R (tests/reference/data/design_two_stage.csv: 14 strata, a
# certainty stratum S01, a lonely PSU in S02, fpc at both stages, missing y).
#
# Calibration (postStratify, rake, calibrate with linear/raking/logit functions, bounds and
# trimming, trimWeights, a chain of two steps) on the two-stage design with
# options(survey.lonely.psu = "adjust"), and on the one-stage design under "average"
# (where a calibrated design's domains keep every stratum). Replicate weights:
# as.svrepdesign JKn (lonely PSU adjusted, averaged, removed), JK1 (unstratified, with and
# without fpc), BRR and Fay on a design of 28 PSU pairs, the bootstrap (its random weights
# exported to tests/reference/data/calibrate_bootstrap.csv and read back by svrepdesign, as
# a survey firm's weights would be), svrepdesign with scale/rscales/mse, and calibrated
# replicate designs. The population margins are defined here and recorded as cases.
suppressPackageStartupMessages(library(survey))

dat <- read.csv(reference_data_path("design_two_stage.csv"))
dat$edu <- factor(dat$edu, levels = c("college", "high", "middle", "primary"))
dat$sat_f <- factor(dat$sat, ordered = TRUE)

pop_sex <- data.frame(sex = c("F", "M"), Freq = c(18300, 17700))
pop_region <- data.frame(region = c("A", "B", "C"), Freq = c(6500, 15800, 13700))
pop_edu <- data.frame(edu = c("college", "high", "middle", "primary"),
                      Freq = c(9800, 9100, 9600, 7500))
pop_sex_region <- data.frame(sex = c("F", "M", "F", "M", "F", "M"),
                             region = c("A", "A", "B", "B", "C", "C"),
                             Freq = c(3600, 2900, 8000, 7800, 6700, 7000))
totals <- c(`(Intercept)` = 36000, sexM = 17700, regionB = 15800, regionC = 13700, x1 = -1500)
totals_chain <- c(`(Intercept)` = 36000, regionB = 15800, regionC = 13700, x2 = 35500)
record("pop_sex", "pop_sex", pop_sex)
record("pop_region", "pop_region", pop_region)
record("pop_edu", "pop_edu", pop_edu)
record("pop_sex_region", "pop_sex_region", pop_sex_region)
record("totals", "totals", as.list(totals))
record("totals_chain", "totals_chain", as.list(totals_chain))

wts <- function(x) unname(weights(x, "sampling"))

# The estimators run on every design; `models` adds svyglm and svyolr.
battery <- function(name, d, note, models = TRUE, full = TRUE) {
  key <- function(what) paste(name, what, sep = "/")
  run(key("mean_y"), sprintf("svymean(~y, %s, na.rm = TRUE)", d), est, note)
  run(key("total_y"), sprintf("svytotal(~y, %s, na.rm = TRUE)", d), est, note)
  run(key("mean_edu"), sprintf("svymean(~edu, %s)", d), est, note)
  run(key("by_region_mean_y"),
      sprintf("svyby(~y, ~region, %s, svymean, na.rm = TRUE)", d), est, note)
  run(key("ratio_y_x2"), sprintf("svyratio(~y, ~x2, %s, na.rm = TRUE)", d), est, note)
  run(key("by_region_ratio_y_x2"),
      sprintf("svyby(~y, ~region, denominator = ~x2, %s, svyratio, na.rm = TRUE)", d), est,
      note)
  if (!full) return(invisible())
  run(key("total_edu"), sprintf("svytotal(~edu, %s)", d), est, note)
  run(key("by_sex_total_y"),
      sprintf("svyby(~y, ~sex, %s, svytotal, na.rm = TRUE)", d), est, note)
  run(key("by_region_mean_edu"), sprintf("svyby(~edu, ~region, %s, svymean)", d), est, note)
  run(key("quantile_y"),
      sprintf("svyquantile(~y, %s, c(0.25, 0.5), na.rm = TRUE, ci = TRUE)", d), quant, note)
  run(key("by_region_quantile_y"),
      sprintf("svyby(~y, ~region, %s, svyquantile, quantiles = 0.5, na.rm = TRUE, ci = TRUE)",
              d), est, note)
  run(key("chisq_edu_sex"), sprintf("svychisq(~edu + sex, %s)", d), chisq, note)
  run(key("chisq_edu_sex_region_A"),
      sprintf("svychisq(~edu + sex, subset(%s, region == \"A\"))", d), chisq, note)
  if (!models) return(invisible())
  run(key("glm_gaussian"), sprintf("svyglm(y ~ x1 + x2 + edu, %s)", d), model, note)
  run(key("glm_binomial"),
      sprintf("svyglm(yes ~ x1 + x2, %s, family = quasibinomial(), control = glm.control(epsilon = 1e-12, maxit = 100))", d),
      model, note)
  run(key("olr"), sprintf("svyolr(sat_f ~ x1 + x2, %s)", d), model, note)
  if (inherits(get(d), "svyrep.design"))
    run(key("olr_tight"), sprintf("olr_tight(%s)", d), identity, note)
}

# svyolr's own replicate refits stop at optim's default reltol = 1e-8 (its `...` reach only
# the full-sample fit); the same replicate variance with the refits converged tightly:
olr_tight <- function(design) {
  fit <- svyolr(sat_f ~ x1 + x2, design)
  start <- c(fit$coefficients, fit$zeta)
  df <- model.frame(design)
  betas <- apply(weights(design, "analysis"), 2, function(wt) {
    m <- MASS::polr(sat_f ~ x1 + x2, data = df, weights = wt, start = start,
                    control = list(reltol = 1e-15, maxit = 1000))
    c(m$coefficients, m$zeta)
  })
  v <- svrVar(t(betas), design$scale, design$rscales, mse = design$mse, coef = start)
  list(coef = unname(start), se = unname(sqrt(diag(v))), names = I(names(start)),
       df = fit$df.residual)
}

# ---- calibration --------------------------------------------------------------------------
options(survey.lonely.psu = "adjust")
adj <- "options(survey.lonely.psu = \"adjust\"); d2 <- svydesign(ids = ~psu + ssu, strata = ~stratum, fpc = ~N1 + N2, weights = ~w, data = dat)"
d2 <- svydesign(ids = ~psu + ssu, strata = ~stratum, fpc = ~N1 + N2, weights = ~w, data = dat)
d1 <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~N1, weights = ~w, data = dat)

calibrated <- list(
  ps_sex = "postStratify(d2, ~sex, pop_sex)",
  ps_sex_region = "postStratify(d2, ~sex + region, pop_sex_region)",
  rake2 = "rake(d2, list(~sex, ~region), list(pop_sex, pop_region))",
  rake3 = "rake(d2, list(~sex, ~region, ~edu), list(pop_sex, pop_region, pop_edu))",
  rake3_tight = "rake(d2, list(~sex, ~region, ~edu), list(pop_sex, pop_region, pop_edu), control = list(maxit = 50, epsilon = 1e-9))",
  greg = "calibrate(d2, ~sex + region + x1, totals)",
  greg_bounded = "calibrate(d2, ~sex + region + x1, totals, bounds = c(0.9, 1.15))",
  raking = "calibrate(d2, ~sex + region + x1, totals, calfun = \"raking\")",
  raking_bounded = "calibrate(d2, ~sex + region + x1, totals, calfun = \"raking\", bounds = c(0.9, 1.15))",
  logit = "calibrate(d2, ~sex + region + x1, totals, calfun = \"logit\", bounds = c(0.85, 1.2))",
  raking_trim = "calibrate(d2, ~sex + region + x1, totals, calfun = \"raking\", trim = c(0.92, 1.1))",
  trim = "trimWeights(d2, upper = 120, lower = 25)",
  trim_strict = "trimWeights(d2, upper = 110, lower = 25, strict = TRUE)",
  ps_trim = "trimWeights(postStratify(d2, ~sex + region, pop_sex_region), upper = 120)",
  chain = "calibrate(postStratify(d2, ~sex, pop_sex), ~region + x2, totals_chain)"
)
# the designs before calibration (svyratio is not in design.R)
battery("plain_d2", "d2", adj, full = FALSE)
full_battery <- c("ps_sex_region", "rake3", "greg_bounded", "logit", "chain")
for (nm in names(calibrated)) {
  assign(nm, eval(parse(text = calibrated[[nm]])))
  record(paste0(nm, "/weights"), paste0("weights(", calibrated[[nm]], ", \"sampling\")"), wts(get(nm)), adj)
  battery(nm, nm, paste0(adj, "; ", nm, " <- ", calibrated[[nm]]),
          full = nm %in% full_battery, models = nm %in% full_battery)
}

# one stage under "average": a calibrated design's domains keep all strata
options(survey.lonely.psu = "average")
avg <- "options(survey.lonely.psu = \"average\"); d1 <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~N1, weights = ~w, data = dat); ps1 <- postStratify(d1, ~sex + region, pop_sex_region)"
ps1 <- postStratify(d1, ~sex + region, pop_sex_region)
battery("ps1_average", "ps1", avg, models = FALSE)
battery("plain_d1_average", "d1", avg, full = FALSE)

# ---- replicate weights --------------------------------------------------------------------
# svyolr on a replicate design refits MASS::polr(..., weights = w) with each replicate's
# weights `w`; a data column named `w` would shadow them (every replicate then repeats the
# full fit), so the replicate designs take the sampling weights under the name pw.
datr <- dat
names(datr)[names(datr) == "w"] <- "pw"
d1 <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~N1, weights = ~pw, data = datr)
options(survey.lonely.psu = "adjust")
rep_stat <- function(x) list(scale = x$scale, rscales = unname(x$rscales), degf = degf(x),
                             colsums = unname(colSums(weights(x, "analysis"))))
jkn_note <- function(opt) paste0("options(survey.lonely.psu = \"", opt, "\"); ",
                                 "d1 <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~N1, weights = ~pw, data = datr); ",
                                 "jkn <- as.svrepdesign(d1, type = \"JKn\")")
for (opt in c("adjust", "average", "remove")) {
  options(survey.lonely.psu = opt)
  jkn <- as.svrepdesign(d1, type = "JKn")
  run(paste0("jkn_", opt, "/design"), "jkn", rep_stat, jkn_note(opt))
  battery(paste0("jkn_", opt), "jkn", jkn_note(opt), full = opt == "adjust",
          models = opt == "adjust")
}
options(survey.lonely.psu = "adjust")
jkn <- as.svrepdesign(d1, type = "JKn")
jkn_mse <- as.svrepdesign(d1, type = "JKn", mse = TRUE)
battery("jkn_mse", "jkn_mse", "jkn_mse <- as.svrepdesign(d1, type = \"JKn\", mse = TRUE)",
        full = FALSE)

du <- svydesign(ids = ~psu, weights = ~pw, data = datr)
datr$Npsu <- 150
duf <- svydesign(ids = ~psu, weights = ~pw, fpc = ~Npsu, data = datr)
jk1 <- as.svrepdesign(du, type = "JK1")
jk1f <- as.svrepdesign(duf, type = "JK1")
run("jk1/design", "jk1", rep_stat, "jk1 <- as.svrepdesign(svydesign(ids = ~psu, weights = ~pw, data = datr), type = \"JK1\")")
battery("jk1", "jk1", "jk1 <- as.svrepdesign(svydesign(ids = ~psu, weights = ~pw, data = datr), type = \"JK1\")",
        full = FALSE)
run("jk1_fpc/design", "jk1f", rep_stat, "datr$Npsu <- 150; jk1f <- as.svrepdesign(svydesign(ids = ~psu, weights = ~pw, fpc = ~Npsu, data = datr), type = \"JK1\")")
battery("jk1_fpc", "jk1f", "jk1f <- as.svrepdesign(svydesign(ids = ~psu, weights = ~pw, fpc = ~Npsu, data = datr), type = \"JK1\")",
        full = FALSE)

# 28 pairs of PSUs (the first 56 PSUs in id order; P057 left out) for BRR and Fay
dat_p <- datr[datr$psu != "P057", ]
psus <- sort(unique(dat_p$psu))
dat_p$vstrat <- sprintf("V%02d", (match(dat_p$psu, psus) + 1) %/% 2)
dp <- svydesign(ids = ~psu, strata = ~vstrat, weights = ~pw, data = dat_p)
pairs_note <- "dat_p <- datr[datr$psu != \"P057\", ]; psus <- sort(unique(dat_p$psu)); dat_p$vstrat <- sprintf(\"V%02d\", (match(dat_p$psu, psus) + 1) %/% 2); dp <- svydesign(ids = ~psu, strata = ~vstrat, weights = ~pw, data = dat_p)"
brr <- as.svrepdesign(dp, type = "BRR")
fay <- as.svrepdesign(dp, type = "Fay", fay.rho = 0.3)
run("brr/design", "brr", rep_stat, paste0(pairs_note, "; brr <- as.svrepdesign(dp, type = \"BRR\")"))
battery("brr", "brr", paste0(pairs_note, "; brr <- as.svrepdesign(dp, type = \"BRR\")"))
run("fay/design", "fay", rep_stat, paste0(pairs_note, "; fay <- as.svrepdesign(dp, type = \"Fay\", fay.rho = 0.3)"))
battery("fay", "fay", paste0(pairs_note, "; fay <- as.svrepdesign(dp, type = \"Fay\", fay.rho = 0.3)"),
        full = FALSE)

# bootstrap: R's random replicate weights exported, then used as a firm's weights
set.seed(20240612)
boot <- as.svrepdesign(d1, type = "bootstrap", replicates = 30)
bw <- weights(boot, "analysis")
colnames(bw) <- paste0("boot", seq_len(ncol(bw)))
write.csv(signif(bw, 15), reference_data_path("calibrate_bootstrap.csv"), row.names = FALSE)
boot_note <- "set.seed(20240612); boot <- as.svrepdesign(d1, type = \"bootstrap\", replicates = 30); its weights(boot, \"analysis\") are calibrate_bootstrap.csv"
run("boot/design", "boot", rep_stat, boot_note)
battery("boot", "boot", boot_note)

datb <- cbind(datr, read.csv(reference_data_path("calibrate_bootstrap.csv")))
firm <- svrepdesign(data = datb, repweights = "^boot[0-9]+$", weights = ~pw, type = "bootstrap",
                    combined.weights = TRUE)
firm_note <- "datb <- cbind(datr, read.csv(\"calibrate_bootstrap.csv\")); firm <- svrepdesign(data = datb, repweights = \"^boot[0-9]+$\", weights = ~pw, type = \"bootstrap\", combined.weights = TRUE)"
run("firm/design", "firm", rep_stat, firm_note)
battery("firm", "firm", firm_note, full = FALSE)
other <- svrepdesign(data = datb, repweights = "^boot[0-9]+$", weights = ~pw, type = "other",
                     scale = 0.04, rscales = rep(c(0.8, 1.2), 15), mse = TRUE,
                     combined.weights = TRUE)
other_note <- "other <- svrepdesign(data = datb, repweights = \"^boot[0-9]+$\", weights = ~pw, type = \"other\", scale = 0.04, rscales = rep(c(0.8, 1.2), 15), mse = TRUE, combined.weights = TRUE)"
run("other/design", "other", rep_stat, other_note)
battery("other", "other", other_note, full = FALSE)
firm_jk1 <- svrepdesign(data = datb, repweights = "^boot[0-9]+$", weights = ~pw, type = "JK1",
                        scale = 29 / 30, combined.weights = TRUE)
battery("firm_jk1", "firm_jk1", "firm_jk1 <- svrepdesign(data = datb, repweights = \"^boot[0-9]+$\", weights = ~pw, type = \"JK1\", scale = 29 / 30, combined.weights = TRUE)",
        full = FALSE)

# calibrated replicate designs: every replicate calibrated to the same totals
rep_cal <- list(
  jkn_ps = "postStratify(jkn, ~sex + region, pop_sex_region)",
  jkn_rake = "rake(jkn, list(~sex, ~region), list(pop_sex, pop_region))",
  jkn_greg = "calibrate(jkn, ~sex + region + x1, totals)",
  jkn_raking = "calibrate(jkn, ~sex + region + x1, totals, calfun = \"raking\")"
)
for (nm in names(rep_cal)) {
  assign(nm, eval(parse(text = rep_cal[[nm]])))
  note <- paste0(jkn_note("adjust"), "; ", nm, " <- ", rep_cal[[nm]])
  record(paste0(nm, "/weights"), paste0("weights(", rep_cal[[nm]], ", \"sampling\")"), wts(get(nm)), note)
  run(paste0(nm, "/design"), nm, rep_stat, note)
  battery(nm, nm, note, full = nm == "jkn_ps", models = nm == "jkn_ps")
}
options(survey.lonely.psu = "fail")

# R's Hadamard matrices behind BRR (precooked, doubled, Paley's construction)
for (n in c(3, 10, 14, 20, 26, 30, 50, 100)) {
  record(sprintf("hadamard/%d", n), sprintf("survey:::hadamard(%d)", n),
         apply(survey:::hadamard(n), 1, paste, collapse = ""))
}
