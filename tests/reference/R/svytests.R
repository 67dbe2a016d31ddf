# Share intervals, Rao-Scott variants, design-based Wald tests and model hygiene on the
# two-stage sample of design.R (tests/reference/data/design_two_stage.csv, read back here).
#
# Designs: "two" = svydesign(ids=~psu+ssu, strata=~stratum, fpc=~N1+N2, weights=~w) and
# "one" = svydesign(ids=~psu, strata=~stratum, fpc=~N1, weights=~w), lonely PSU adjusted
# (stratum S02 has a single PSU of 5; S01 is a certainty stratum).
# Derived columns (the Python tests derive the same): rare = k >= 5 (3 % of the sample),
# college = edu == "college", const = 1, x3 = x1 + 2 x2 (collinear), edu5 = edu with an
# extra first level "none" that never occurs (the baseline of the factor is absent).
suppressPackageStartupMessages(library(survey))

dat <- read.csv(reference_data_path("design_two_stage.csv"))
dat$rare <- as.integer(dat$k >= 5)
dat$college <- as.integer(dat$edu == "college")
dat$const <- 1
dat$x3 <- dat$x1 + 2 * dat$x2
dat$edu <- factor(dat$edu, levels = c("college", "high", "middle", "primary"))
dat$edu5 <- factor(as.character(dat$edu), levels = c("none", "college", "high", "middle",
                                                     "primary"))
dat$sat_f <- factor(dat$sat, ordered = TRUE)
options(survey.lonely.psu = "adjust")
note <- "options(survey.lonely.psu = \"adjust\")"
d2 <- svydesign(ids = ~psu + ssu, strata = ~stratum, fpc = ~N1 + N2, weights = ~w, data = dat)
d1 <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~N1, weights = ~w, data = dat)
designs <- list(two = "d2", one = "d1")
# regTermTest on svyolr evaluates the model call's design in the global environment
assign("d1", d1, envir = globalenv())
assign("d2", d2, envir = globalenv())

ciprop <- function(x) list(coef = unname(as.numeric(x)), ci = unname(as.numeric(attr(x, "ci"))),
                           se = unname(sqrt(as.numeric(attr(x, "var")))))
by_ci <- function(x) list(coef = unname(coef(x)), ci_low = unname(x[["ci_l"]]),
                          ci_high = unname(x[["ci_u"]]))
htest <- function(x) list(statistic = unname(x$statistic), parameter = unname(x$parameter),
                          p = unname(x$p.value))
term_test <- function(x) {
  if (!is.null(x$Ftest)) list(f = unname(as.numeric(x$Ftest)), ndf = x$df, ddf = x$ddf,
                              p = unname(as.numeric(x$p)))
  else list(chisq = unname(as.numeric(x$chisq)), ndf = x$df, p = unname(as.numeric(x$p)))
}
contrast <- function(x) list(coef = unname(coef(x)), se = unname(SE(x)))
model <- function(x) list(coef = unname(coef(x)), se = unname(sqrt(diag(vcov(x)))),
                          names = I(names(coef(x))))

likelihood_ci <- function(v, design) {
  m <- svyglm(as.formula(paste(v, "~ 1")), design, family = quasibinomial,
              control = glm.control(epsilon = 1e-14, maxit = 100))
  ci <- suppressMessages(confint(m, 1, level = 0.95, method = "likelihood", ddf = degf(design)))
  list(coef = unname(plogis(coef(m))), ci = unname(as.numeric(plogis(ci))))
}

methods <- c("logit", "likelihood", "asin", "beta", "mean", "xlogit")
for (dn in names(designs)) {
  d <- designs[[dn]]
  key <- function(what) paste(dn, what, sep = "/")
  for (m in methods) {
    for (v in c("yes", "rare", "college")) {
      run(key(sprintf("ciprop/%s/%s", v, m)),
          sprintf("svyciprop(~%s, %s, method = \"%s\")", v, d, m), ciprop, note)
    }
    run(key(sprintf("ciprop_by_region/rare/%s", m)),
        sprintf("svyby(~rare, ~region, %s, svyciprop, method = \"%s\", vartype = \"ci\")", d, m),
        by_ci, note)
    run(key(sprintf("ciprop_level90/yes/%s", m)),
        sprintf("svyciprop(~yes, %s, method = \"%s\", level = 0.9)", d, m), ciprop, note)
  }
  # svyciprop(method = "likelihood") profiles svyglm(y ~ 1, quasibinomial) fitted with glm's
  # default epsilon = 1e-8, which moves its limits by up to 5e-5: the same interval from a
  # fit converged to 1e-14 (the svyciprop code, with the fit's control tightened)
  for (v in c("yes", "rare", "college")) {
    run(key(sprintf("ciprop_converged/%s/likelihood", v)),
        sprintf("likelihood_ci(\"%s\", %s)", v, d), identity, note)
    for (r in c("A", "B", "C")) {
      run(key(sprintf("ciprop_converged_region_%s/%s/likelihood", r, v)),
          sprintf("likelihood_ci(\"%s\", subset(%s, region == \"%s\"))", v, d, r), identity,
          note)
    }
  }
  # Rao-Scott and Wald tests of independence, whole design and a domain
  for (s in c("F", "Chisq", "Wald", "adjWald", "saddlepoint")) {
    run(key(sprintf("chisq/%s", s)),
        sprintf("svychisq(~edu + sex, %s, statistic = \"%s\")", d, s), htest, note)
    run(key(sprintf("chisq_region_C/%s", s)),
        sprintf("svychisq(~edu + sex, subset(%s, region == \"C\"), statistic = \"%s\")", d, s),
        htest, note)
  }

  fit <- sprintf("svyglm(y ~ x1 + x2 + edu, %s)", d)
  run(key("regterm/gaussian/edu"), sprintf("regTermTest(%s, ~edu)", fit), term_test, note)
  run(key("regterm/gaussian/x1+x2"), sprintf("regTermTest(%s, ~x1 + x2)", fit), term_test, note)
  run(key("regterm/gaussian/all"), sprintf("regTermTest(%s, ~x1 + x2 + edu)", fit), term_test,
      note)
  run(key("regterm/gaussian/edu_lrt"),
      sprintf("regTermTest(%s, ~edu, method = \"LRT\")", fit),
      function(x) list(chisq = unname(as.numeric(x$chisq)), ndf = x$df, ddf = x$ddf,
                       p = unname(as.numeric(x$p)), lambda = unname(x$lambda)), note)
  run(key("regterm/gaussian/edu_working"),
      sprintf("regTermTest(%s, ~edu, method = \"WorkingWald\")", fit),
      function(x) list(chisq = unname(as.numeric(x$chisq)), ndf = x$df, ddf = x$ddf,
                       p = unname(as.numeric(x$p)), lambda = unname(x$lambda)), note)
  bfit <- sprintf("svyglm(yes ~ x1 + x2 + edu, %s, family = quasibinomial(), control = glm.control(epsilon = 1e-12, maxit = 100))", d)
  run(key("regterm/binomial/edu"), sprintf("regTermTest(%s, ~edu)", bfit), term_test, note)
  run(key("lincom/gaussian/x1-x2"),
      sprintf("svycontrast(%s, c(x1 = 1, x2 = -1))", fit), contrast, note)
  run(key("lincom/gaussian/2x1+x2+eduhigh"),
      sprintf("svycontrast(%s, c(x1 = 2, x2 = 1, eduhigh = 0.5))", fit), contrast, note)
  run(key("lincom/gaussian/df"), sprintf("%s$df.residual", fit), identity, note)
  run(key("lincom/binomial/x1+x2"),
      sprintf("svycontrast(%s, c(x1 = 1, x2 = 1))", bfit), contrast, note)
  ofit <- sprintf("svyolr(sat_f ~ x1 + x2 + edu, %s)", d)
  run(key("regterm/olr/edu"), sprintf("regTermTest(%s, ~edu)", ofit), term_test, note)
  run(key("lincom/olr/x1-x2"), sprintf("svycontrast(%s, c(x1 = 1, x2 = -1))", ofit), contrast,
      note)

  # model hygiene: an absent baseline level, a constant and a collinear predictor
  run(key("hygiene/glm_absent_level"), sprintf("svyglm(y ~ x1 + edu5, %s)", d), model, note)
  run(key("hygiene/glm_absent_level_domain"),
      sprintf("svyglm(y ~ x1 + edu5, subset(%s, region == \"A\"))", d), model, note)
  run(key("hygiene/glm_constant"), sprintf("svyglm(y ~ x1 + const + x2, %s)", d), model, note)
  run(key("hygiene/glm_collinear"), sprintf("svyglm(y ~ x1 + x2 + x3, %s)", d), model, note)
  run(key("hygiene/olr_constant"),
      sprintf("suppressWarnings(svyolr(sat_f ~ x1 + const, %s))", d), model, note)
  run(key("hygiene/olr_collinear"),
      sprintf("suppressWarnings(svyolr(sat_f ~ x1 + x2 + x3, %s))", d), model, note)
}

# statistic = "lincom": Pearson X^2 against its exact asymptotic distribution, a weighted sum
# of chi-squares over an F denominator. R's survey computes it with CompQuadForm::davies,
# which Debian does not package; the same probability by Imhof's integral (the formula of
# CompQuadForm::imhof), with the design-effect eigenvalues of svychisq, in R's integrate().
imhof_upper <- function(lambda, h) {
  f <- function(u) {
    theta <- 0.5 * sapply(u, function(uu) sum(h * atan(lambda * uu)))
    rho <- sapply(u, function(uu) prod((1 + lambda^2 * uu^2)^(h / 4)))
    sin(theta) / (u * rho)
  }
  0.5 + integrate(f, 0, Inf, rel.tol = 1e-12, subdivisions = 10000L)$value / pi
}
lincom_p <- function(formula, design) {
  rows <- all.vars(formula)[1]; cols <- all.vars(formula)[2]
  mm <- model.matrix(~interaction(factor(design$variables[[rows]]),
                                  factor(design$variables[[cols]])) - 1)
  N <- nrow(mm)
  nr <- length(unique(design$variables[[rows]])); nc <- length(unique(design$variables[[cols]]))
  nu <- length(unique(design$cluster[, 1])) - length(unique(design$strata[, 1]))
  mean2 <- svymean(mm, design)
  mf1 <- expand.grid(rows = 1:nr, cols = 1:nc)
  X1 <- model.matrix(~factor(rows) + factor(cols), mf1)
  X12 <- model.matrix(~factor(rows) * factor(cols), mf1)
  Cmat <- qr.resid(qr(X1), X12[, -(1:(nr + nc - 1)), drop = FALSE])
  iDmat <- diag(ifelse(mean2 == 0, 0, 1 / mean2))
  denom <- t(Cmat) %*% (iDmat / N) %*% Cmat
  numr <- t(Cmat) %*% iDmat %*% attr(mean2, "var") %*% iDmat %*% Cmat
  Delta <- solve(denom, numr)
  d0 <- sum(diag(Delta))^2 / sum(diag(Delta %*% Delta))
  x2 <- suppressWarnings(chisq.test(svytable(formula, design, Ntotal = N), correct = FALSE))
  a <- eigen(Delta, only.values = TRUE)$values
  ddf <- d0 * nu
  list(statistic = unname(x2$statistic), p = imhof_upper(c(a, -x2$statistic / ddf),
                                                          c(rep(1, length(a)), ddf)))
}
for (dn in names(designs)) {
  d <- designs[[dn]]
  run(paste(dn, "chisq/lincom", sep = "/"), sprintf("lincom_p(~edu + sex, %s)", d), identity,
      paste(note, "; svychisq(statistic = \"lincom\") by Imhof's integral (see the script)"))
  run(paste(dn, "chisq_region_C/lincom", sep = "/"),
      sprintf("lincom_p(~edu + sex, subset(%s, region == \"C\"))", d), identity,
      paste(note, "; svychisq(statistic = \"lincom\") by Imhof's integral (see the script)"))
}

# non-design fits: the same hygiene cases with glm, and regTermTest with the model vcov
options(survey.lonely.psu = "fail")
run("glm/absent_level", "glm(yes ~ x1 + edu5, binomial, dat)", model)
run("glm/absent_level_domain", "glm(yes ~ x1 + edu5, binomial, dat[dat$region == \"A\", ])",
    model)
run("glm/constant", "glm(yes ~ x1 + const + x2, binomial, dat)", model)
run("glm/collinear", "lm(y ~ x1 + x2 + x3, dat)", model)
run("glm/regterm_logit_edu", "regTermTest(glm(yes ~ x1 + x2 + edu, binomial, dat), ~edu, df = Inf)",
    term_test)
run("glm/regterm_ols_edu", "regTermTest(lm(y ~ x1 + x2 + edu, dat), ~edu)", term_test)
run("glm/lincom_logit", "svycontrast(glm(yes ~ x1 + x2 + edu, binomial, dat), c(x1 = 1, x2 = -1))",
    contrast)
run("glm/lincom_ols", "svycontrast(lm(y ~ x1 + x2 + edu, dat), c(x1 = 1, x2 = -1))", contrast)
run("glm/ols_df", "lm(y ~ x1 + x2 + edu, dat)$df.residual", identity)
