# Confidence intervals of shares (R svyciprop) on calibrated and replicate-weight designs,
# whole design and svyby domains, every method. Data: the two-stage fixture of design.R.
# tests/stats/test_shares_reference.py compares Design.prop(method=) against these values.
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
dat <- read.csv(reference_data_path("design_two_stage.csv"))
pop_sex_region <- data.frame(sex = c("F", "M", "F", "M", "F", "M"),
                             region = c("A", "A", "B", "B", "C", "C"),
                             Freq = c(3600, 2900, 8000, 7800, 6700, 7000))
record("pop_sex_region", "pop_sex_region", pop_sex_region)
d2 <- svydesign(ids = ~psu + ssu, strata = ~stratum, fpc = ~N1 + N2, weights = ~w, data = dat)
d1 <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~N1, weights = ~w, data = dat)
designs <- list(
  ps = "postStratify(d2, ~sex + region, pop_sex_region)",
  jkn = "as.svrepdesign(d1, type = \"JKn\")",
  jkn_ps = "postStratify(as.svrepdesign(d1, type = \"JKn\"), ~sex + region, pop_sex_region)"
)
ci3 <- function(x) list(estimate = as.numeric(coef(x)), ci = as.numeric(confint(x)))
by3 <- function(x) list(estimate = as.numeric(x[[2]]), ci_low = as.numeric(x[[3]]),
                        ci_high = as.numeric(x[[4]]))
for (name in names(designs)) {
  des <- eval(parse(text = designs[[name]]))
  methods <- c("logit", "mean", "beta", "asin", "xlogit")
  if (name == "ps") methods <- c(methods, "likelihood")
  for (m in methods) {
    run(paste(name, m, sep = "/"),
        sprintf("svyciprop(~yes, %s, method = \"%s\")", designs[[name]], m), ci3)
    run(paste(name, m, "by", sep = "/"),
        sprintf("svyby(~yes, ~region, %s, svyciprop, method = \"%s\", vartype = \"ci\")",
                designs[[name]], m), by3)
  }
}

# The other replicate engines, on the designs of calibrate.R: JK1 without strata, BRR and
# Fay on 28 PSU pairs, and a survey firm's bootstrap weights (calibrate_bootstrap.csv, R's
# own bootstrap replicates exported) read back by svrepdesign.
du <- svydesign(ids = ~psu, weights = ~w, data = dat)
dat_p <- dat[dat$psu != "P057", ]
psus <- sort(unique(dat_p$psu))
dat_p$vstrat <- sprintf("V%02d", (match(dat_p$psu, psus) + 1) %/% 2)
dp <- svydesign(ids = ~psu, strata = ~vstrat, weights = ~w, data = dat_p)
datb <- cbind(dat, read.csv(reference_data_path("calibrate_bootstrap.csv")))
setup <- paste(
  "du <- svydesign(ids = ~psu, weights = ~w, data = dat)",
  "dat_p <- dat[dat$psu != \"P057\", ]; psus <- sort(unique(dat_p$psu))",
  "dat_p$vstrat <- sprintf(\"V%02d\", (match(dat_p$psu, psus) + 1) %/% 2)",
  "dp <- svydesign(ids = ~psu, strata = ~vstrat, weights = ~w, data = dat_p)",
  "datb <- cbind(dat, read.csv(\"calibrate_bootstrap.csv\"))", sep = "; ")
others <- list(
  jk1 = "as.svrepdesign(du, type = \"JK1\")",
  brr = "as.svrepdesign(dp, type = \"BRR\")",
  fay = "as.svrepdesign(dp, type = \"Fay\", fay.rho = 0.3)",
  firm = paste0("svrepdesign(data = datb, repweights = \"^boot[0-9]+$\", weights = ~w, ",
                "type = \"bootstrap\", combined.weights = TRUE)")
)
for (name in names(others)) {
  for (m in c("logit", "mean", "beta", "asin", "xlogit")) {
    run(paste(name, m, sep = "/"),
        sprintf("svyciprop(~yes, %s, method = \"%s\")", others[[name]], m), ci3, note = setup)
    run(paste(name, m, "by", sep = "/"),
        sprintf("svyby(~yes, ~region, %s, svyciprop, method = \"%s\", vartype = \"ci\")",
                others[[name]], m), by3, note = setup)
  }
}
