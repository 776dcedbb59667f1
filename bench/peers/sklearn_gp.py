#!/usr/bin/python3
"""scikit-learn peer for bench/gp.ts.

Reads a JSON job on stdin:
  {"X": [[...], ...], "y": [...], "Xs": [[...], ...], "restarts": 5, "repeats": 3, "seed": 0}
Fits GaussianProcessRegressor with
  ConstantKernel(1.0, (1e-5, 1e5)) * RBF(ones(d), (1e-5, 1e5)) + WhiteKernel(0.1, (1e-6, 1e1)),
  normalize_y=True, n_restarts_optimizer=restarts-1 (so `restarts` L-BFGS-B starts in total),
then predicts (mean and std) at Xs. A product of per-group RBFs with ARD
lengthscales is the same kernel as one ARD RBF over all dims.

Writes JSON on stdout: per repeat the wall and CPU time (fit + predict, seconds; CPU time is
process_time, all threads), and the
log marginal likelihood reached, both as sklearn reports it (of the normalised y)
and in original y units (minus n*log(std_y)).
"""
import json
import sys
import time

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel


def main():
    job = json.load(sys.stdin)
    X = np.asarray(job["X"], dtype=float)
    y = np.asarray(job["y"], dtype=float)
    Xs = np.asarray(job["Xs"], dtype=float)
    restarts = int(job.get("restarts", 5))
    repeats = int(job.get("repeats", 3))
    seed = int(job.get("seed", 0))
    n, d = X.shape
    out = []
    for r in range(repeats):
        kernel = ConstantKernel(1.0, (1e-5, 1e5)) * RBF(np.ones(d), (1e-5, 1e5)) + WhiteKernel(
            0.1, (1e-6, 1e1)
        )
        gpr = GaussianProcessRegressor(
            kernel=kernel,
            normalize_y=True,
            n_restarts_optimizer=restarts - 1,
            random_state=seed + r,
        )
        t0 = time.perf_counter()
        c0 = time.process_time()
        gpr.fit(X, y)
        mu, sd = gpr.predict(Xs, return_std=True)
        t1 = time.perf_counter()
        c1 = time.process_time()
        lml = float(gpr.log_marginal_likelihood_value_)
        out.append(
            {
                "seconds": t1 - t0,
                "cpuSeconds": c1 - c0,
                "lmlNormalized": lml,
                "lml": lml - n * float(np.log(np.std(y))),
                "kernel": str(gpr.kernel_),
            }
        )
    import sklearn

    json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "runs": out}, sys.stdout)


if __name__ == "__main__":
    main()
