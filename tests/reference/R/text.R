# tk.text: TF-IDF by group (tidytext) and keyness (chi-squared as R's chisq.test; G2 by its
# formula), on the term counts of the test corpus (tests/text/data/corpus.csv) that
# tk.text.dtm counted; the Python test checks the counts are still the same.
# Packages (Debian): r-cran-tidytext, r-cran-dplyr.
suppressPackageStartupMessages({
  library(tidytext)
  library(dplyr)
})

town <- read.csv(reference_data_path("text_counts_town.csv"), fileEncoding = "UTF-8",
                 stringsAsFactors = FALSE)
run("tfidf_town",
    "tidytext::bind_tf_idf(town, term, town, n)",
    function(x) {
      x <- as.data.frame(x)
      x[order(x$town, x$term), c("town", "term", "n", "tf", "idf", "tf_idf")]
    },
    note = "tf = n / tokens of the town, idf = log(towns / towns using the term)")

adopted <- read.csv(reference_data_path("text_counts_adopted.csv"), fileEncoding = "UTF-8",
                    stringsAsFactors = FALSE)
tot_t <- sum(adopted$n_target)
tot_r <- sum(adopted$n_reference)

# quanteda's rule: Yates' correction where |ad - bc| >= N/2 and an expected count is below 5
yates_needed <- function(a, b, c, d) {
  n <- a + b + c + d
  abs(a * d - b * c) >= n / 2 &&
    min((a + b) * (a + c), (a + b) * (b + d), (a + c) * (c + d), (c + d) * (b + d)) / n < 5
}
signed_chisq <- function(a, b, correct) {
  tab <- matrix(c(a, tot_t - a, b, tot_r - b), nrow = 2)
  e <- (a + b) * tot_t / (tot_t + tot_r)
  fix <- if (correct == "default") yates_needed(a, b, tot_t - a, tot_r - b) else FALSE
  stat <- suppressWarnings(chisq.test(tab, correct = fix)$statistic)
  unname(stat) * ifelse(a > e, 1, -1)
}
g2 <- function(a, b, correct) {
  c <- tot_t - a; d <- tot_r - b; n <- a + b + c + d
  e <- (a + b) * (a + c) / n
  delta <- if (correct == "default" && yates_needed(a, b, c, d)) 0.5 else 0
  s <- if (a * d - b * c > 0) 1 else -1
  o <- c(a - s * delta, b + s * delta, c + s * delta, d - s * delta)
  ex <- c((o[1] + o[2]) * (o[1] + o[3]), (o[1] + o[2]) * (o[2] + o[4]),
          (o[1] + o[3]) * (o[3] + o[4]), (o[2] + o[4]) * (o[3] + o[4])) / n
  # quanteda adds 1e-9 inside the logarithm (keyness.cpp, `epsilon`)
  2 * sum(ifelse(o > 0, o * log(o / ex + 1e-9), 0)) * ifelse(a > e, 1, -1)
}
run("keyness_chi2_default",
    "mapply(signed_chisq, adopted$n_target, adopted$n_reference, 'default')",
    function(x) data.frame(term = adopted$term, keyness = x),
    note = "chisq.test(correct = TRUE) where quanteda applies Yates, else FALSE; signed")
run("keyness_chi2_none",
    "mapply(signed_chisq, adopted$n_target, adopted$n_reference, 'none')",
    function(x) data.frame(term = adopted$term, keyness = x))
run("keyness_lr_default",
    "mapply(g2, adopted$n_target, adopted$n_reference, 'default')",
    function(x) data.frame(term = adopted$term, keyness = x),
    note = "G2 = 2 sum O log(O/E + 1e-9) over the 2x2 table, cells moved by Yates' 0.5, as quanteda")
run("keyness_lr_none",
    "mapply(g2, adopted$n_target, adopted$n_reference, 'none')",
    function(x) data.frame(term = adopted$term, keyness = x))
