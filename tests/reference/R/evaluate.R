# Reference values for tk.evaluate: PCA weights (Nicoletti et al. 2000 / OECD-JRC Handbook 2008)
# from psych::principal's varimax loadings, type-2 skewness and kurtosis (psych), Cronbach's
# alpha of one pillar, z-scores (scale) and ranks with ties given the lowest rank (rank).
suppressPackageStartupMessages(library(psych))

# A realistic indicator table: 80 members, 6 indicators driven by two latent traits
# (engagement: i1-i3; output: i4-i6), counts and rates.
set.seed(20231108)
n <- 80
engagement <- rnorm(n)
output <- 0.4 * engagement + rnorm(n)
ind <- data.frame(
  member_id = sprintf("M%03d", 1:n),
  i1 = rpois(n, exp(2.3 + 0.35 * engagement)),
  i2 = round(plogis(0.8 * engagement + rnorm(n, 0, 0.6)), 3),
  i3 = rpois(n, exp(1.2 + 0.45 * engagement)),
  i4 = rpois(n, exp(0.9 + 0.5 * output)),
  i5 = rpois(n, exp(0.6 + 0.55 * output)),
  i6 = round(exp(0.8 * output + rnorm(n, 0, 0.5)), 2)
)
write.csv(ind, reference_data_path("evaluate_indicators.csv"), row.names = FALSE)
X <- ind[, paste0("i", 1:6)]

run("pca_eigenvalues", "eigen(cor(X))$values")
pc <- principal(X, nfactors = 2, rotate = "varimax")
L <- unclass(pc$loadings)
record("pca_loadings_varimax", "unclass(principal(X, nfactors = 2, rotate = 'varimax')$loadings)",
       as.data.frame(L), note = "columns are the rotated components; signs may differ")
sq <- L^2
explained <- colSums(sq)
scaled <- sweep(sq, 2, explained, "/")
factor <- apply(scaled, 1, which.max)
w <- scaled[cbind(seq_len(nrow(L)), factor)] * (explained / sum(explained))[factor]
record("pca_weights",
       paste("L <- unclass(principal(X, 2, rotate='varimax')$loadings); sq <- L^2;",
             "scaled <- sweep(sq, 2, colSums(sq), '/'); f <- apply(scaled, 1, which.max);",
             "w <- scaled[cbind(1:6, f)] * (colSums(sq) / sum(sq))[f]; w / sum(w)"),
       unname(w / sum(w)),
       note = "Handbook (2008) section 6.1: squared varimax loadings scaled to unity sum per factor")

x_skew <- X$i6
run("skew_type2_i6", "psych::skew(x_skew, type = 2)")
run("kurtosis_type2_i6", "psych::kurtosi(x_skew, type = 2)")
run("skew_type2_i3", "psych::skew(X$i3, type = 2)")
run("kurtosis_type2_i3", "psych::kurtosi(X$i3, type = 2)")
run("alpha_engagement", "psych::alpha(X[, c('i1', 'i2', 'i3')])$total$raw_alpha")
run("zscore_i1", "as.numeric(scale(X$i1))")
run("rank_min_i4", "rank(-X$i4, ties.method = 'min')",
    note = "rank of the reversed indicator (direction -), ties given the lowest rank")
