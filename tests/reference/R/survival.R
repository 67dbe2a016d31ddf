# Survival comparison: Kaplan-Meier (survfit), log-rank (survdiff) and Cox (coxph).
#
# Data (seeded, written once as CSV for Python): response lags of submissions in days
# (whole days, so many ties), censored at the end of the data; channel (3 levels),
# sector (2 levels), a numeric covariate (pages) and a town used as strata.
suppressPackageStartupMessages(library(survival))

set.seed(20240615)
n <- 400
channel <- sample(c("proposal", "social_info", "speech"), n, replace = TRUE,
                  prob = c(0.5, 0.35, 0.15))
sector <- sample(c("district_bureau", "street_office"), n, replace = TRUE)
town <- sample(c("town_a", "town_b", "town_c"), n, replace = TRUE)
pages <- round(rexp(n, 1 / 4) + 1, 1)
rate <- exp(-3 + 0.4 * (channel == "social_info") - 0.3 * (channel == "speech") +
            0.5 * (sector == "street_office") - 0.05 * pages)
lag <- ceiling(rexp(n, rate))
cens <- sample(20:120, n, replace = TRUE)
days <- pmin(lag, cens)
responded <- as.integer(lag <= cens)
lags <- data.frame(days = days, responded = responded, channel = channel, sector = sector,
                   town = town, pages = pages)
write.csv(lags, reference_data_path("survival_lags.csv"), row.names = FALSE)

# A small table with heavy ties and a group whose last subject is censored.
ties <- data.frame(
  days = c(1, 1, 2, 2, 2, 3, 4, 4, 5, 6, 1, 2, 2, 3, 3, 3, 4, 6, 6, 7),
  event = c(1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0),
  arm = rep(c("offline", "online"), each = 10))
write.csv(ties, reference_data_path("survival_ties.csv"), row.names = FALSE)

logrank_value <- function(fit) {
  df <- sum(fit$n > 0) - 1
  list(groups = sub(".*=", "", names(fit$n)), n = as.numeric(fit$n),
       observed = as.numeric(if (is.matrix(fit$obs)) rowSums(fit$obs) else fit$obs),
       expected = as.numeric(if (is.matrix(fit$exp)) rowSums(fit$exp) else fit$exp),
       chisq = fit$chisq, df = df, p = pchisq(fit$chisq, df, lower.tail = FALSE))
}

run("logrank_channel", "survdiff(Surv(days, responded) ~ channel, data = lags)",
    logrank_value)
run("logrank_channel_strata",
    "survdiff(Surv(days, responded) ~ channel + strata(town), data = lags)", logrank_value)
run("logrank_ties", "survdiff(Surv(days, event) ~ arm, data = ties)", logrank_value)

cox_value <- function(fit) {
  s <- summary(fit)
  list(terms = rownames(s$coefficients), coef = as.numeric(s$coefficients[, "coef"]),
       se = as.numeric(s$coefficients[, "se(coef)"]),
       z = as.numeric(s$coefficients[, "z"]), p = as.numeric(s$coefficients[, "Pr(>|z|)"]),
       hr = as.numeric(s$conf.int[, "exp(coef)"]),
       hr_low = as.numeric(s$conf.int[, "lower .95"]),
       hr_high = as.numeric(s$conf.int[, "upper .95"]),
       loglik = as.numeric(fit$loglik), n = fit$n, nevent = fit$nevent,
       lr = as.numeric(s$logtest["test"]), lr_df = as.numeric(s$logtest["df"]))
}

run("cox_efron", "coxph(Surv(days, responded) ~ channel + sector + pages, data = lags)",
    cox_value, note = "R's default ties = \"efron\"")
run("cox_breslow",
    "coxph(Surv(days, responded) ~ channel + sector + pages, data = lags, ties = \"breslow\")",
    cox_value)
run("cox_strata",
    "coxph(Surv(days, responded) ~ channel + pages + strata(town), data = lags)", cox_value)
run("cox_ties", "coxph(Surv(days, event) ~ arm, data = ties)", cox_value)

km_value <- function(fit) {
  s <- summary(fit, censored = FALSE)
  list(group = sub(".*=", "", as.character(s$strata)), time = s$time, n_risk = s$n.risk,
       n_event = s$n.event, surv = s$surv, std_err = s$std.err, lower = s$lower,
       upper = s$upper)
}
run("km_channel",
    "survfit(Surv(days, responded) ~ channel, data = lags, conf.type = \"log-log\")",
    km_value, note = "event times only (summary(censored = FALSE))")
run("km_ties_90",
    "survfit(Surv(days, event) ~ arm, data = ties, conf.type = \"log-log\", conf.int = 0.9)",
    km_value)
