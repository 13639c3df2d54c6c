# Reference values for clusterdiscovery's stability and k-versus-k+1 tests.
# Run with: Rscript src/clusterdiscovery/data/published/clusterboot_mclust_reference.R
# (Debian packages r-base-core, r-cran-fpc, r-cran-mclust). Writes
# clusterboot_iris.csv and mclust_faithful_lrt.csv in src/clusterdiscovery/data/published.
suppressMessages({library(fpc); library(mclust)})
out <- "src/clusterdiscovery/data/published"

# 1. fpc::clusterboot, Fisher's iris (4 measurements), k-means k = 3, B = 500
x <- as.matrix(iris[, 1:4])
rows <- list()
for (mb in c(FALSE, TRUE)) {
  set.seed(1)
  cb <- clusterboot(x, B = 500, bootmethod = "boot", clustermethod = kmeansCBI,
                    krange = 3, runs = 10, multipleboot = mb, count = FALSE,
                    showplots = FALSE)
  sizes <- as.vector(table(cb$partition))
  rows[[length(rows) + 1]] <- data.frame(
    multipleboot = mb, size = sizes, jaccard_mean = cb$bootmean,
    jaccard_median = apply(cb$bootresult, 1, median),
    dissolved = cb$bootbrd, recovered = cb$bootrecover)
}
write.csv(do.call(rbind, rows), file.path(out, "clusterboot_iris.csv"), row.names = FALSE)

# 2. mclust::mclustBootstrapLRT, Old Faithful (eruptions, waiting), model VVI (diagonal
#    covariances, varying volume and shape = scikit-learn covariance_type = "diag")
set.seed(1)
y <- faithful
lrt <- mclustBootstrapLRT(y, modelName = "VVI", maxG = 3, nboot = 99)
fits <- lapply(1:4, function(G) Mclust(y, G = G, modelNames = "VVI", verbose = FALSE))
res <- data.frame(
  k = 2:4,
  loglik_null = sapply(1:3, function(G) fits[[G]]$loglik),
  loglik_alt = sapply(2:4, function(G) fits[[G]]$loglik),
  df_null = sapply(1:3, function(G) fits[[G]]$df),
  df_alt = sapply(2:4, function(G) fits[[G]]$df),
  lrt_obs = c(lrt$obs, rep(NA, 3 - length(lrt$obs))),
  blrt_p = c(lrt$p.value, rep(NA, 3 - length(lrt$p.value))),
  n = nrow(y))
write.csv(res, file.path(out, "mclust_faithful_lrt.csv"), row.names = FALSE)
print(do.call(rbind, rows)); print(res)
cat(R.version.string, "fpc", as.character(packageVersion("fpc")),
    "mclust", as.character(packageVersion("mclust")), "\n")
