# Latent class regression of the poLCA `election` data (ANES 2000) on PARTY, 3 classes.
# Writes the reference numbers of election_polca_party.json (poLCA 1.6.0.2, best of 20 starts).
# Not run on the build machine of this session (poLCA is not packaged for Debian and CRAN was
# not reachable); the JSON holds the figures stated in the issue that asked for the
# reproduction, which this script prints. Run: Rscript election_polca_party.R
library(poLCA)
data(election)
f <- cbind(MORALG, CARESG, KNOWG, LEADG, DISHONG, INTELG,
           MORALB, CARESB, KNOWB, LEADB, DISHONB, INTELB) ~ PARTY
set.seed(1)
m <- poLCA(f, election, nclass = 3, nrep = 20, verbose = FALSE)   # na.rm = TRUE: N = 1300
cat(sprintf("N %d  loglik %.5f  npar %d  BIC %.5f\n", m$Nobs, m$llik, m$npar, m$bic))
cat("class shares", sprintf("%.5f", m$P), "\n")
print(m$coeff)     # intercept and PARTY slope of classes 2..3 against class 1
print(m$coeff.se)  # empirical-information standard errors (poLCA.se)
