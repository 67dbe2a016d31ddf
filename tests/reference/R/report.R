# Expected values of the report tables (tk.report.describe_table, crosstab_table): the
# numbers they print come from tk.stats and must be R survey's, on the api data of the
# survey package (../shared/data/reference/survey_api, read in place).
#   stratified design with fpc:  svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)
#   two stages, fpc at both:     svydesign(id=~dnum+snum, fpc=~fpc1+fpc2)
suppressPackageStartupMessages(library(survey))

api <- function(file) read.csv(file.path("..", "shared", "data", "reference", "survey_api", file))
# a categorical variable with missing values: class size band from acs.k3 (NA stays NA)
band <- function(d) {
  d$acs_band <- ifelse(is.na(d$acs.k3), NA, ifelse(d$acs.k3 >= 20, "20+", "<20"))
  d
}
apistrat <- band(api("apistrat.csv"))
apiclus2 <- band(api("apiclus2.csv"))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)

specs <- c(
  strat = "design = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)",
  clus2 = "design = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)")

cross <- function(prefix, design, n) {
  spec <- specs[[prefix]]
  f <- svychisq(~stype + awards, design, statistic = "F")
  record(paste0(prefix, "_chisq_F"),
         "svychisq(~stype + awards, design, statistic = \"F\")",
         list(f = unname(f$statistic), ndf = unname(f$parameter["ndf"]),
              ddf = unname(f$parameter["ddf"]), p_value = unname(f$p.value)), note = spec)
  run(paste0(prefix, "_pearson"),
      "unname(chisq.test(svytable(~stype + awards, design, Ntotal = n), correct = FALSE)$statistic)",
      note = paste0(spec, "; n = nrow(data); Pearson statistic of the weighted table scaled to n"))
  run(paste0(prefix, "_row_percent"),
      "100 * prop.table(svytable(~stype + awards, design), 1)",
      function(t) as.data.frame(t, responseName = "percent", stringsAsFactors = FALSE),
      note = spec)
}
cross("strat", dstrat, nrow(apistrat))
cross("clus2", dclus2, nrow(apiclus2))

describe <- function(prefix, design) {
  spec <- specs[[prefix]]
  run(paste0(prefix, "_mean_api00"), "unname(coef(svymean(~api00, design)))", note = spec)
  run(paste0(prefix, "_sd_api00"), "unname(sqrt(coef(svyvar(~api00, design))))", note = spec)
  run(paste0(prefix, "_mean_acs"), "unname(coef(svymean(~acs.k3, design, na.rm = TRUE)))",
      note = spec)
  # the SD of the respondents with a value: svyvar on the domain design (its n/(n-1) counts
  # them; svyvar(na.rm = TRUE) would count every respondent of the design)
  run(paste0(prefix, "_sd_acs"),
      "unname(sqrt(coef(svyvar(~acs.k3, subset(design, !is.na(acs.k3))))))", note = spec)
  run(paste0(prefix, "_band_percent_of_all"),
      "100 * coef(svymean(~addNA(factor(acs_band)), design))",
      function(v) list(`<20` = unname(v[1]), `20+` = unname(v[2]), missing = unname(v[3])),
      note = paste0(spec, "; acs_band = ifelse(is.na(acs.k3), NA, ifelse(acs.k3 >= 20, ",
                    "\"20+\", \"<20\")); missing answers included as a level"))
}
describe("strat", dstrat)
describe("clus2", dclus2)
