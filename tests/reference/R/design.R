# Survey design reference values: a realistic two-stage sample built here (seeded) and the
# survey package's estimates on it under every lonely-PSU option, with domains, factors,
# quantiles, Rao-Scott tests and design-based regressions (svyglm, svyolr).
#
# Design: 14 strata with 1-8 sampled PSUs each (communities) of N1 in the population; in
# each PSU 2-4 second-stage units (households) of N2; 2-5 respondents per household.
# Stratum S01 is a certainty stratum (its one PSU is the whole population: N1 = 1);
# stratum S02 has a genuinely lonely PSU (1 sampled of 5). Weights are the inverse
# inclusion probabilities times a person-level adjustment. y has missing values (5 % at
# random, and every respondent of one PSU of region B); edu is a factor, yes binary, sat
# ordinal (1-4), k a count; region is a domain of whole strata, sex cuts across PSUs.
suppressPackageStartupMessages(library(survey))

set.seed(20240611)
n_psu <- c(1, 1, 2, 3, 4, 5, 6, 7, 8, 2, 3, 4, 5, 6)
pop_psu <- c(1, 5, 2 * n_psu[3:14] + c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8))
rows <- list()
psu_id <- 0
for (h in seq_along(n_psu)) {
  for (c in seq_len(n_psu[h])) {
    psu_id <- psu_id + 1
    m <- sample(2:4, 1)
    M <- m + sample(0:6, 1)
    effect <- rnorm(1, 0, 0.5)
    for (j in seq_len(m)) {
      size <- sample(2:5, 1)
      hh <- rnorm(1, 0, 0.4)
      for (i in seq_len(size)) {
        rows[[length(rows) + 1]] <- data.frame(
          stratum = sprintf("S%02d", h), psu = sprintf("P%03d", psu_id),
          ssu = sprintf("P%03d-H%d", psu_id, j), N1 = pop_psu[h], N2 = M,
          effect = effect + hh)
      }
    }
  }
}
dat <- do.call(rbind, rows)
n <- nrow(dat)
h_index <- as.integer(sub("S", "", dat$stratum))
dat$region <- c("A", "B", "C")[cut(h_index, c(0, 5, 10, 14), labels = FALSE)]
dat$sex <- sample(c("F", "M"), n, replace = TRUE)
n_in_ssu <- ave(rep(1, n), dat$ssu, FUN = sum)
m_in_psu <- ave(as.numeric(!duplicated(dat$ssu)), dat$psu, FUN = sum)
n_in_stratum <- n_psu[h_index]
dat$w <- round((dat$N1 / n_in_stratum) * (dat$N2 / m_in_psu) * runif(n, 0.8, 1.2) * 10, 3)
dat$x1 <- round(rnorm(n, 0, 1), 4)
dat$x2 <- round(runif(n, 0, 2), 4)
edu_p <- plogis(0.5 * dat$x1 + dat$effect)
dat$edu <- c("primary", "middle", "high", "college")[1 + findInterval(edu_p + runif(n, -0.3, 0.3),
                                                                      c(0.3, 0.5, 0.7))]
dat$y <- round(3 + 0.8 * dat$x1 - 0.5 * dat$x2 + dat$effect + rnorm(n, 0, 1), 4)
dat$y[runif(n) < 0.05] <- NA
dat$y[dat$psu == dat$psu[dat$region == "B"][1]] <- NA
dat$yes <- as.integer(runif(n) < plogis(-0.3 + 0.9 * dat$x1 + dat$effect))
dat$sat <- 1 + findInterval(0.7 * dat$x1 + 0.4 * dat$x2 + dat$effect + rlogis(n), c(-0.5, 0.6, 1.8))
dat$k <- rpois(n, exp(0.2 + 0.4 * dat$x1 + 0.5 * dat$effect))
dat$effect <- NULL
write.csv(dat, reference_data_path("design_two_stage.csv"), row.names = FALSE)
dat$edu <- factor(dat$edu, levels = c("college", "high", "middle", "primary"))
dat$sat_f <- factor(dat$sat, ordered = TRUE)

d2 <- svydesign(ids = ~psu + ssu, strata = ~stratum, fpc = ~N1 + N2, weights = ~w, data = dat)
d1 <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~N1, weights = ~w, data = dat)
record("n_rows", "nrow(dat)", n)


designs <- list(two = "d2", one = "d1")
for (opt in c("adjust", "average", "certainty", "remove")) {
  options(survey.lonely.psu = opt)
  for (dn in names(designs)) {
    d <- designs[[dn]]
    key <- function(what) paste(dn, opt, what, sep = "/")
    note <- paste0("options(survey.lonely.psu = \"", opt, "\")")
    run(key("mean_y"), sprintf("svymean(~y, %s, na.rm = TRUE)", d), est, note)
    run(key("total_y"), sprintf("svytotal(~y, %s, na.rm = TRUE)", d), est, note)
    run(key("mean_edu"), sprintf("svymean(~edu, %s)", d), est, note)
    run(key("total_edu"), sprintf("svytotal(~edu, %s)", d), est, note)
    run(key("by_region_mean_y"),
        sprintf("svyby(~y, ~region, %s, svymean, na.rm = TRUE)", d), est, note)
    run(key("by_sex_mean_y"),
        sprintf("svyby(~y, ~sex, %s, svymean, na.rm = TRUE)", d), est, note)
    run(key("by_region_total_y"),
        sprintf("svyby(~y, ~region, %s, svytotal, na.rm = TRUE)", d), est, note)
    run(key("by_region_mean_edu"),
        sprintf("svyby(~edu, ~region, %s, svymean)", d), est, note)
    run(key("quantile_y"),
        sprintf("svyquantile(~y, %s, c(0.25, 0.5), na.rm = TRUE, ci = TRUE)", d), quant, note)
    run(key("by_region_quantile_y"),
        sprintf("svyby(~y, ~region, %s, svyquantile, quantiles = 0.5, na.rm = TRUE, ci = TRUE)",
                d), est, note)
    run(key("chisq_edu_sex"), sprintf("svychisq(~edu + sex, %s)", d), chisq, note)
    run(key("chisq_edu_sex_region_A"),
        sprintf("svychisq(~edu + sex, subset(%s, region == \"A\"))", d), chisq, note)
    run(key("chisq_edu_sex_region_C"),
        sprintf("svychisq(~edu + sex, subset(%s, region == \"C\"))", d), chisq, note)
  }
}

# models: two-stage and one-stage, lonely PSU adjusted and averaged
for (opt in c("adjust", "average")) {
  options(survey.lonely.psu = opt)
  for (dn in names(designs)) {
    d <- designs[[dn]]
    key <- function(what) paste(dn, opt, what, sep = "/")
    note <- paste0("options(survey.lonely.psu = \"", opt, "\")")
    run(key("glm_gaussian"), sprintf("svyglm(y ~ x1 + x2 + edu, %s)", d), model, note)
    run(key("glm_intercept"), sprintf("svyglm(y ~ 1, %s)", d), model, note)
    run(key("glm_binomial"),
        sprintf("svyglm(yes ~ x1 + x2, %s, family = quasibinomial(), control = glm.control(epsilon = 1e-12, maxit = 100))", d), model, note)
    run(key("glm_poisson"),
        sprintf("svyglm(k ~ x1 + x2, %s, family = quasipoisson(), control = glm.control(epsilon = 1e-12, maxit = 100))", d), model, note)
    run(key("olr"), sprintf("svyolr(sat_f ~ x1 + x2, %s)", d), model, note)
  }
}

# without the lonely stratum, the certainty stratum needs no option (R's default "fail")
options(survey.lonely.psu = "fail")
d2c <- subset(d2, stratum != "S02")
run("two/fail/no_lonely_mean_y", "svymean(~y, d2c, na.rm = TRUE)", est,
    "options(survey.lonely.psu = \"fail\"); d2c <- subset(d2, stratum != \"S02\")")
dat_c <- dat[dat$stratum != "S02", ]
d2c_full <- svydesign(ids = ~psu + ssu, strata = ~stratum, fpc = ~N1 + N2, weights = ~w,
                      data = dat_c)
run("two/fail/no_lonely_design_mean_y", "svymean(~y, d2c_full, na.rm = TRUE)", est,
    "options(survey.lonely.psu = \"fail\"); the design built without stratum S02")
d1c_full <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~N1, weights = ~w, data = dat_c)
run("one/fail/no_lonely_design_mean_y", "svymean(~y, d1c_full, na.rm = TRUE)", est,
    "options(survey.lonely.psu = \"fail\"); the design built without stratum S02")
options(survey.lonely.psu = "fail")
