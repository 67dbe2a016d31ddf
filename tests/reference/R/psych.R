# Reference values for tk.stats.icc and tk.stats.omega: R psych (ICC, omega, fa) and lme4.
#
# ICC: psych::ICC on Shrout & Fleiss (1979) Table 2, on pingouin's wine-judging example,
# on a seeded panel of 30 proposals scored by 5 reviewers (complete, and with gaps), and on
# a small panel whose rater variance component is negative (where psych's default lmer
# fit and the ANOVA formulas part ways).
# omega: psych::omega (minres, oblimin, Schmid-Leiman; psych's defaults) and one-factor
# McDonald omega from psych::fa(fm = "ml") on bfi and on a seeded bifactor survey.
suppressPackageStartupMessages({
  library(psych)
  library(lme4)
})

shared <- function(...) file.path("..", "shared", "data", ...)

icc_value <- function(res) {
  out <- res$results
  names(out) <- c("type", "icc", "f", "df1", "df2", "p_value", "ci_low", "ci_high")
  rownames(out) <- NULL
  list(results = out, n_obs = res$n.obs, n_judge = res$n.judge,
       ms = list(msb = res$stats["MS", "subjects"], msj = res$stats["MS", "Judges"],
                 mse = res$stats["MS", "Residual"], msw = res$MSW))
}

# --- ICC: Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges -----------------
sf <- matrix(c(9, 2, 5, 8,
               6, 1, 3, 2,
               8, 4, 6, 8,
               7, 1, 2, 6,
               10, 5, 6, 9,
               6, 2, 4, 7), ncol = 4, byrow = TRUE,
             dimnames = list(paste0("S", 1:6), paste0("J", 1:4)))
record("sf_data", "Shrout & Fleiss (1979) Table 2", as.data.frame(sf))
run("icc_sf", "ICC(sf, lmer = FALSE)", icc_value)
run("icc_sf_lmer", "ICC(sf)", icc_value, note = "psych's default lmer = TRUE fit")
run("icc_sf_90", "ICC(sf, lmer = FALSE, alpha = 0.10)", icc_value)

# --- ICC: pingouin's wine example (8 wines x 4 judges, long form) ---------------------
wine <- read.csv(shared("reference", "reliability_alpha", "pingouin_icc.csv"))
wine_wide <- reshape(wine, idvar = "Wine", timevar = "Judge", direction = "wide")
wine_wide <- wine_wide[order(wine_wide$Wine), -1]
run("icc_wine", "ICC(wine_wide, lmer = FALSE)", icc_value,
    note = "pingouin_icc.csv reshaped wide: one row per Wine, one column per Judge")

# --- ICC: seeded panel, 30 proposals x 5 reviewers, scores 1-10 ------------------------
set.seed(20240612)
n <- 30
true <- rnorm(n, 6, 1.5)
bias <- c(-0.8, 0, 0.5, 1, -0.3)
panel <- sapply(bias, function(b) pmin(10, pmax(1, round(true + b + rnorm(n, 0, 1)))))
colnames(panel) <- paste0("reviewer_", 1:5)
panel <- data.frame(proposal = sprintf("P%02d", 1:n), panel)
write.csv(panel, reference_data_path("psych_icc_panel.csv"), row.names = FALSE)
scores <- panel[, -1]
run("icc_panel", "ICC(scores, lmer = FALSE)", icc_value)
run("icc_panel_lmer", "ICC(scores)", icc_value)

# the same panel with 8 scores missing in 6 proposals
gaps <- scores
holes <- cbind(c(3, 3, 7, 12, 18, 18, 25, 29), c(2, 5, 1, 4, 2, 3, 5, 1))
gaps[holes] <- NA
write.csv(data.frame(proposal = panel$proposal, gaps), reference_data_path("psych_icc_gaps.csv"),
          row.names = FALSE, na = "")
run("icc_gaps_lmer", "ICC(gaps)", icc_value,
    note = "psych's default: lme4 REML on every score given; n.obs counts all 30 rows")
# the model psych fits, converged tightly: the variance components themselves
gaps_long <- data.frame(values = unlist(gaps), items = rep(names(gaps), each = nrow(gaps)),
                        id = rep(paste0("S", seq_len(nrow(gaps))), ncol(gaps)))
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
run("vc_gaps_tight",
    "lmer(values ~ 1 + (1 | id) + (1 | items), data = gaps_long, na.action = na.omit, control = tight)",
    function(m) {
      vc <- VarCorr(m)
      list(target = vc$id[1, 1], rater = vc$items[1, 1], residual = attr(vc, "sc")^2,
           reml_criterion = REMLcrit(m))
    }, note = "bobyqa with rhoend = 1e-12: psych's lmer model with a tight convergence criterion")
run("icc_gaps_listwise", "ICC(na.omit(gaps), lmer = FALSE)", icc_value,
    note = "proposals with a missing score left out (24 remain)")

# --- ICC: a panel whose rater variance component is negative (MSJ < MSE) --------------
set.seed(1)
flat <- matrix(round(rnorm(12 * 3, 5, 1) + rnorm(12, 0, 1)), 12,
               dimnames = list(NULL, c("r1", "r2", "r3")))
write.csv(as.data.frame(flat), reference_data_path("psych_icc_flat.csv"), row.names = FALSE)
run("icc_flat", "ICC(flat, lmer = FALSE)", icc_value)
run("icc_flat_lmer", "ICC(flat)", icc_value,
    note = "lmer sets the rater variance to 0 (boundary), so MSJ and MSE differ from ANOVA")

# --- omega --------------------------------------------------------------------------
omega_value <- function(o) {
  sl <- o$schmid$sl
  list(omega_h = o$omega_h, omega_total = o$omega.tot, alpha = o$alpha,
       omega_lim = o$omega.lim, ecv = unname(o$ECV),
       sl = data.frame(item = sub("-$", "", rownames(sl)), reflected = grepl("-$", rownames(sl)),
                       unclass(sl), check.names = FALSE, row.names = NULL),
       phi = unclass(o$schmid$phi), gloading = as.vector(o$schmid$gloading))
}
one_factor <- function(f) {
  l <- abs(as.vector(f$loadings))
  list(omega = sum(l)^2 / (sum(l)^2 + sum(1 - l^2)), loadings = l)
}

bfi15 <- psych::bfi[, 1:15]  # A1-A5, C1-C5, E1-E5 (the same data as shared bfi.csv)
run("omega_bfi15", "omega(bfi15, nfactors = 3, fm = 'minres', rotate = 'oblimin', plot = FALSE)",
    omega_value, note = "pairwise correlations (psych's default); A1, C4, C5, E1, E2 reflected")
run("omega_bfi15_listwise",
    "omega(na.omit(bfi15), nfactors = 3, fm = 'minres', rotate = 'oblimin', plot = FALSE)",
    omega_value, note = "2,563 complete rows")
run("omega1_bfi15_listwise", "fa(na.omit(bfi15), nfactors = 1, fm = 'ml')", one_factor,
    note = "McDonald omega (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) from the ML loadings")
bfi25 <- psych::bfi[, 1:25]
run("omega_bfi25", "omega(bfi25, nfactors = 5, plot = FALSE)", omega_value,
    note = "all 25 items, five group factors; pairwise correlations")

# seeded survey: 600 respondents, 12 five-point items, a general factor and three group
# factors of four items; item s12 is worded in reverse; about 1% of answers missing
set.seed(20240613)
nr <- 600
g <- rnorm(nr)
grp <- matrix(rnorm(nr * 3), nr)
lg <- c(0.65, 0.6, 0.55, 0.5, 0.6, 0.55, 0.5, 0.45, 0.55, 0.5, 0.45, -0.5)
ls <- c(0.5, 0.45, 0.4, 0.35, 0.45, 0.4, 0.4, 0.3, 0.5, 0.45, 0.35, -0.35)
latent <- sapply(1:12, function(i) lg[i] * g + ls[i] * grp[, (i - 1) %/% 4 + 1] +
                   rnorm(nr, 0, sqrt(1 - lg[i]^2 - ls[i]^2)))
survey <- as.data.frame(apply(latent, 2, function(z) as.integer(cut(z, c(-Inf, -1.2, -0.4, 0.4, 1.2, Inf)))))
names(survey) <- sprintf("s%02d", 1:12)
survey[cbind(sample(nr, 70, replace = TRUE), sample(12, 70, replace = TRUE))] <- NA
write.csv(survey, reference_data_path("psych_omega_survey.csv"), row.names = FALSE, na = "")
run("omega_survey", "omega(survey, nfactors = 3, plot = FALSE)", omega_value,
    note = "pairwise correlations")
complete <- na.omit(survey)
run("omega_survey_listwise", "omega(complete, nfactors = 3, plot = FALSE)", omega_value)
run("omega1_survey_listwise", "fa(complete, nfactors = 1, fm = 'ml')", one_factor)
run("omega1obs_survey_listwise",
    "omega(complete, nfactors = 1, fm = 'ml', plot = FALSE)",
    function(o) list(omega_h = o$omega_h, omega_total = o$omega.tot),
    note = "one ML factor with psych's observed total variance sum(R)")
run("omega_survey_2f", "omega(complete, nfactors = 2, plot = FALSE)", omega_value,
    note = "two group factors: psych sets both loadings on g to sqrt(phi12) (option = 'equal')")
