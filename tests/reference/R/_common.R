# Helpers shared by the reference scripts: record a value with the R call that made it.
suppressPackageStartupMessages(library(jsonlite))

.ref <- new.env()

reference_begin <- function(area) {
  .ref$area <- area
  .ref$cases <- list()
}

# Record `value` (a number, vector, named list or data frame) under `name`, with `call`
# (the R expression as text, exactly as run) and a note on the data or options used.
record <- function(name, call, value, note = NULL) {
  if (!is.null(.ref$cases[[name]])) stop("case recorded twice: ", name)
  entry <- list(call = call, value = value)
  if (!is.null(note)) entry$note <- note
  .ref$cases[[name]] <- entry
  invisible(value)
}

# Evaluate the call given as text, record its value (after `extract`), return it.
run <- function(name, call, extract = identity, note = NULL, envir = parent.frame()) {
  value <- extract(eval(parse(text = call), envir = envir))
  record(name, call, value, note)
}

# Extractors of survey results shared by the areas: estimates and SEs (svymean, svytotal,
# svyratio, svyby), a Rao-Scott test (svychisq), a Woodruff quantile (svyquantile with
# ci = TRUE) and a model (svyglm, svyolr: coefficients, SEs, names, residual df).
est <- function(x) list(coef = unname(coef(x)), se = unname(SE(x)))
chisq <- function(x) list(f = unname(x$statistic), ndf = unname(x$parameter[1]),
                          ddf = unname(x$parameter[2]), p = unname(x$p.value))
quant <- function(x) {
  q <- x[[1]]
  list(coef = unname(q[, 1]), ci_low = unname(q[, 2]), ci_high = unname(q[, 3]),
       se = unname(q[, 4]))
}
model <- function(x) list(coef = unname(coef(x)), se = unname(sqrt(diag(vcov(x)))),
                          names = I(names(coef(x))), df = x$df.residual)

reference_data_path <- function(file) {
  dir.create(file.path("tests", "reference", "data"), showWarnings = FALSE)
  file.path("tests", "reference", "data", file)
}

reference_write <- function(area) {
  pkgs <- c("survey", "lme4", "MASS", "psych", "GPArotation", "ordinal", "sna", "igraph",
            "survival")
  versions <- lapply(pkgs, function(p) tryCatch(as.character(packageVersion(p)),
                                                 error = function(e) NA))
  names(versions) <- pkgs
  out <- list(area = area, r_version = R.version.string, packages = versions,
              cases = .ref$cases)
  path <- file.path("tests", "reference", paste0(area, ".json"))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null",
                    dataframe = "columns"), path)
  message("wrote ", path, " (", length(.ref$cases), " cases)")
}
