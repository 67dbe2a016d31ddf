#!/usr/bin/env Rscript
# Expected values for the toolkit's reference tests, computed by R.
#
# Run from the project root:   Rscript tests/reference/make_reference.R [area ...]
#
# Each file R/<area>.R builds (or reads) its data and records, for every case, the R
# call that produced each value; R/_common.R writes them to tests/reference/<area>.json.
# The tests compare against the JSON, so the test suite never needs R. Data that Python
# also needs are written beside the JSON as CSV (tests/reference/data/).
#
# Packages (Debian): r-base-core r-cran-survey r-cran-lme4 r-cran-mass r-cran-psych
# r-cran-gparotation r-cran-ordinal r-cran-sna r-cran-igraph r-cran-survival r-cran-jsonlite

args <- commandArgs(trailingOnly = TRUE)
here <- "tests/reference"
if (!dir.exists(here)) stop("run from the project root: Rscript tests/reference/make_reference.R")
source(file.path(here, "R", "_common.R"))
areas <- sub("\\.R$", "", list.files(file.path(here, "R"), pattern = "^[a-z].*\\.R$"))
if (length(args)) areas <- intersect(areas, args)
for (area in areas) {
  message("== ", area)
  reference_begin(area)
  source(file.path(here, "R", paste0(area, ".R")), local = new.env())
  reference_write(area)
}
