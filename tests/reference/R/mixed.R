# Mixed models: lme4::lmer (REML and ML; random intercepts, random slopes, nested and
# crossed factors; a singular fit), lmerTest Satterthwaite df, and lme4::glmer (binomial
# random intercept with Laplace and adaptive Gauss-Hermite, random slope, cbpp with trials).
#
# lme4 is run with tight optimiser tolerances (lmer: nloptwrap BOBYQA with ftol_abs =
# xtol_abs = xtol_rel = 1e-12, ftol_rel = 1e-15; glmer: the same in both stages and
# tolPwrss = 1e-12) so that
# its optimum, not its stopping rule, is what the tests compare with; the default fits
# are recorded too (`*_default`).
#
# Data: lme4's sleepstudy (read from ../shared/data, as the Python tests do) and cbpp
# (written as CSV), and a seeded survey of residents in 40 communities of 6 towns,
# interviewed by 12 interviewers (unbalanced communities, quota sampling of age by
# community, a few missing trust scores), written as CSV for Python.
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest, exclude = "lmer")
})

shared <- function(...) file.path("..", "shared", "data", ...)

tight <- lmerControl(optimizer = "nloptwrap",
                     optCtrl = list(ftol_abs = 1e-12, xtol_abs = 1e-12, ftol_rel = 1e-15,
                                    xtol_rel = 1e-12, maxeval = 1e5))
gtight <- glmerControl(optimizer = c("nloptwrap", "nloptwrap"), tolPwrss = 1e-12,
                       optCtrl = list(ftol_abs = 1e-12, xtol_abs = 1e-12, ftol_rel = 1e-15,
                                      xtol_rel = 1e-12, maxeval = 1e5))

# --- data ------------------------------------------------------------------------------
sleepstudy <- read.csv(shared("reference", "mixed_sleepstudy", "sleepstudy.csv"))
sleepstudy$Subject <- factor(sleepstudy$Subject)

data(cbpp, package = "lme4")
write.csv(cbpp, reference_data_path("mixed_cbpp.csv"), row.names = FALSE)
cbpp <- read.csv(reference_data_path("mixed_cbpp.csv"))
cbpp$herd <- factor(cbpp$herd)
cbpp$period <- factor(cbpp$period)

set.seed(20240613)
n_comm <- 40
towns <- c("城关街道", "东城街道", "南湖镇", "北山镇", "青石镇", "白云乡")
size <- pmin(120, pmax(5, round(exp(rnorm(n_comm, log(30), 0.7)))))
community <- rep(sprintf("C%02d", seq_len(n_comm)), size)
town_of <- sample(towns, n_comm, replace = TRUE)
town <- rep(town_of, size)
n <- length(community)
# interviewers work in a few communities each (crossed, not nested)
interviewer <- character(n)
for (c in unique(community)) {
  rows <- which(community == c)
  pool <- sample(sprintf("I%02d", 1:12), 3)
  interviewer[rows] <- sample(pool, length(rows), replace = TRUE, prob = c(0.6, 0.3, 0.1))
}
# quota sampling: every community's sample follows the same age quotas, so there is no
# between-community variance in age (a singular fit for age ~ gender + (1 | community))
age <- integer(n)
for (c in unique(community)) {
  rows <- which(community == c)
  q <- (seq_along(rows) - 0.5) / length(rows)
  age[rows] <- sample(round(qunif(q, 18, 80)))
}
gender <- sample(c("女", "男"), n, replace = TRUE)
party_member <- rbinom(n, 1, 0.22)
edu_levels <- c("初中", "大专及以上", "小学及以下", "高中")  # Unicode order, as patsy sorts
edu <- sample(edu_levels, n, replace = TRUE, prob = c(0.35, 0.2, 0.25, 0.2))
age10 <- (age - 50) / 10
ci <- match(community, unique(community))
ti <- match(town, towns)
ii <- match(interviewer, sprintf("I%02d", 1:12))
u0 <- rnorm(n_comm, 0, 0.45)
u1 <- 0.5 * u0 + rnorm(n_comm, 0, 0.12)
ut <- rnorm(length(towns), 0, 0.3)
ui <- rnorm(12, 0, 0.2)
edu_eff <- c(0, 0.25, -0.2, 0.1)[match(edu, edu_levels)]
trust <- 3.2 + 0.12 * age10 + 0.25 * party_member + edu_eff + 0.1 * (gender == "男") +
  u0[ci] + u1[ci] * age10 + ut[ti] + ui[ii] + rnorm(n, 0, 0.8)
trust <- round(trust, 3)
trust[sample(n, 25)] <- NA
eta <- -0.6 + 0.35 * age10 + 0.7 * party_member - 0.2 * (gender == "男") + 1.2 * u0[ci] +
  rnorm(n_comm, 0, 0.25)[ci] * age10
attended <- rbinom(n, 1, plogis(eta))
# proposals submitted in the past year: counts with a community effect
proposals <- rpois(n, exp(-0.8 + 0.15 * age10 + 0.6 * party_member + 0.8 * u0[ci]))
survey <- data.frame(respondent = seq_len(n), community = community, town = town,
                     interviewer = interviewer, gender = gender, age = age,
                     age10 = age10, party_member = party_member, edu = edu,
                     trust = trust, attended = attended, proposals = proposals)
write.csv(survey, reference_data_path("mixed_survey.csv"), row.names = FALSE,
          fileEncoding = "UTF-8")
survey <- read.csv(reference_data_path("mixed_survey.csv"), encoding = "UTF-8")
survey$gender <- factor(survey$gender, levels = c("女", "男"))
survey$edu <- factor(survey$edu, levels = edu_levels)
run("survey_size", paste("list(n = nrow(survey), communities = length(unique(survey$community)),",
                         "smallest = min(table(survey$community)),",
                         "largest = max(table(survey$community)))"), identity)

# --- extractors ------------------------------------------------------------------------
varcorr_value <- function(fit) {
  vc <- as.data.frame(VarCorr(fit))
  vc$var2[is.na(vc$var2)] <- ""
  vc$var1[is.na(vc$var1)] <- ""
  list(grp = vc$grp, var1 = vc$var1, var2 = vc$var2, vcov = vc$vcov, sdcor = vc$sdcor)
}

ranef_value <- function(fit, groups = 4) {
  re <- as.data.frame(ranef(fit, condVar = TRUE))
  keep <- re$grp %in% head(levels(re$grp), groups)
  re <- re[keep, ]
  list(grpvar = as.character(re$grpvar), term = as.character(re$term),
       grp = as.character(re$grp), condval = re$condval, condsd = re$condsd)
}

lmer_value <- function(fit) {
  v <- as.matrix(vcov(fit))
  out <- list(fixef = unname(fixef(fit)), names = names(fixef(fit)),
              se = unname(sqrt(diag(v))), vcov = unname(v),
              theta = unname(getME(fit, "theta")), sigma = sigma(fit),
              varcorr = varcorr_value(fit),
              logLik = as.numeric(logLik(fit)), df = attr(logLik(fit), "df"),
              AIC = AIC(fit), BIC = BIC(fit),
              REML = isREML(fit), singular = isSingular(fit), nobs = nobs(fit),
              ranef = ranef_value(fit))
  if (isREML(fit)) out$REMLcrit <- REMLcrit(fit) else out$deviance <- deviance(fit)
  lt <- summary(as_lmerModLmerTest(fit))$coefficients
  out$satterthwaite_df <- unname(lt[, "df"])
  out$t <- unname(lt[, "t value"])
  out$p <- unname(lt[, "Pr(>|t|)"])
  out
}

glmer_value <- function(fit) {
  v <- as.matrix(vcov(fit))
  list(fixef = unname(fixef(fit)), names = names(fixef(fit)),
       se = unname(sqrt(diag(v))), vcov = unname(v),
       z = unname(summary(fit)$coefficients[, "z value"]),
       p = unname(summary(fit)$coefficients[, "Pr(>|z|)"]),
       theta = unname(getME(fit, "theta")), varcorr = varcorr_value(fit),
       logLik = as.numeric(logLik(fit)), df = attr(logLik(fit), "df"),
       AIC = AIC(fit), BIC = BIC(fit), deviance = -2 * as.numeric(logLik(fit)),
       singular = isSingular(fit), nobs = nobs(fit), nAGQ = fit@devcomp$dims[["nAGQ"]],
       ranef = ranef_value(fit))
}

# --- lmer: sleepstudy --------------------------------------------------------------------
run("lmer_sleep_slope_reml",
    "lmer(Reaction ~ Days + (Days | Subject), sleepstudy, control = tight)", lmer_value)
run("lmer_sleep_slope_ml",
    "lmer(Reaction ~ Days + (Days | Subject), sleepstudy, REML = FALSE, control = tight)",
    lmer_value)
run("lmer_sleep_int_reml",
    "lmer(Reaction ~ Days + (1 | Subject), sleepstudy, control = tight)", lmer_value)
run("lmer_sleep_int_ml",
    "lmer(Reaction ~ Days + (1 | Subject), sleepstudy, REML = FALSE, control = tight)",
    lmer_value)
run("lmer_sleep_slope_reml_default",
    "lmer(Reaction ~ Days + (Days | Subject), sleepstudy)", lmer_value,
    note = "lme4's default optimiser settings")
run("lmer_sleep_uncorrelated",
    "lmer(Reaction ~ Days + (Days || Subject), sleepstudy, control = tight)", lmer_value)

# --- lmer: the seeded survey -------------------------------------------------------------
run("lmer_survey_int_reml",
    paste("lmer(trust ~ age10 + gender + party_member + edu + (1 | community), survey,",
          "control = tight)"), lmer_value, note = "25 missing trust scores: na.omit")
run("lmer_survey_int_ml",
    paste("lmer(trust ~ age10 + gender + party_member + edu + (1 | community), survey,",
          "REML = FALSE, control = tight)"), lmer_value)
run("lmer_survey_slope_reml",
    paste("lmer(trust ~ age10 + gender + party_member + (age10 | community), survey,",
          "control = tight)"), lmer_value)
run("lmer_survey_nested_reml",
    "lmer(trust ~ age10 + party_member + (1 | town/community), survey, control = tight)",
    lmer_value)
run("lmer_survey_crossed_reml",
    paste("lmer(trust ~ age10 + party_member + (1 | community) + (1 | interviewer), survey,",
          "control = tight)"), lmer_value)
run("lmer_survey_singular_reml",
    "lmer(age ~ gender + (1 | community), survey, control = tight)", lmer_value,
    note = "age follows the same quotas in every community: boundary (singular) fit")
run("lmer_survey_singular_ml",
    "lmer(age ~ gender + (1 | community), survey, REML = FALSE, control = tight)",
    lmer_value)
run("lmer_survey_singular_slope",
    "lmer(trust ~ age10 + (party_member | town), survey, control = tight)", lmer_value,
    note = "6 towns: the intercept and party_member effects are perfectly correlated")
run("lm_survey_singular",
    "lm(age ~ gender, survey)",
    function(fit) list(coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))),
                       sigma = summary(fit)$sigma))
run("lmer_survey_int_reml_timing",
    paste("system.time(for (i in 1:20) lmer(trust ~ age10 + gender + party_member + edu +",
          "(1 | community), survey))[['elapsed']] / 20"), identity,
    note = "seconds per fit with lme4's defaults, on the machine that wrote this file")

# --- glmer ------------------------------------------------------------------------------
run("glmer_survey_int_laplace",
    paste("glmer(attended ~ age10 + gender + party_member + (1 | community), survey,",
          "family = binomial, control = gtight)"), glmer_value)
run("glmer_survey_int_agq10",
    paste("glmer(attended ~ age10 + gender + party_member + (1 | community), survey,",
          "family = binomial, nAGQ = 10, control = gtight)"), glmer_value)
run("glmer_survey_slope_laplace",
    paste("glmer(attended ~ age10 + gender + party_member + (age10 | community), survey,",
          "family = binomial, control = gtight)"), glmer_value)
run("glmer_survey_int_laplace_default",
    paste("glmer(attended ~ age10 + gender + party_member + (1 | community), survey,",
          "family = binomial)"), glmer_value, note = "lme4's default optimiser settings")
run("glmer_cbpp_laplace",
    paste("glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp,",
          "family = binomial, control = gtight)"), glmer_value)
run("glmer_cbpp_agq5",
    paste("glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp,",
          "family = binomial, nAGQ = 5, control = gtight)"), glmer_value)
run("glmer_survey_crossed_laplace",
    paste("glmer(attended ~ age10 + party_member + (1 | community) + (1 | interviewer),",
          "survey, family = binomial, control = gtight)"), glmer_value)
run("glmer_survey_poisson_laplace",
    paste("glmer(proposals ~ age10 + party_member + (1 | community), survey,",
          "family = poisson, control = gtight)"), glmer_value)
run("glmer_survey_poisson_agq7",
    paste("glmer(proposals ~ age10 + party_member + (1 | community), survey,",
          "family = poisson, nAGQ = 7, control = gtight)"), glmer_value)
run("glmer_survey_singular",
    paste("glmer(as.integer(age >= 50) ~ gender + (1 | community), survey,",
          "family = binomial, control = gtight)"), glmer_value,
    note = "age follows the same quotas in every community: boundary (singular) fit")
run("glm_survey_singular",
    "glm(as.integer(age >= 50) ~ gender, survey, family = binomial)",
    function(fit) list(coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))),
                       logLik = as.numeric(logLik(fit))))
run("glmer_survey_icc",
    paste("with(as.data.frame(VarCorr(glmer(attended ~ age10 + gender + party_member +",
          "(1 | community), survey, family = binomial, control = gtight))),",
          "vcov / (vcov + pi^2 / 3))"), identity, note = "latent-scale ICC")
run("glmer_survey_int_timing",
    paste("system.time(for (i in 1:10) glmer(attended ~ age10 + gender + party_member +",
          "(1 | community), survey, family = binomial))[['elapsed']] / 10"), identity,
    note = "seconds per fit with lme4's defaults, on the machine that wrote this file")
