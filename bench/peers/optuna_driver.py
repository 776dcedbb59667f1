#!/usr/bin/python3
"""Optuna as a benchmark peer of mixopt, through `mixopt testbed serve NAME`.

Two methods, both seeded with TPESampler(seed=optimizerSeed):

- ``optuna-tpe``: TPE at the target fidelity. Every trial is one full run at
  (m*, z*). The mixture uses the parameterisation of Optuna's FAQ: sample
  x_i ~ U(0, 1) (``suggest_float``), w_i = -log(x_i) / sum_j -log(x_j), which is a
  Dirichlet(1) draw when the x_i are uniform.
- ``optuna-hyperband``: TPE with ``HyperbandPruner`` (min_resource = logEvery
  steps, max_resource = z*, reduction_factor = 3), steps as the resource at the
  target size. A trial asks the server for its run up to the next rung
  threshold (a continuation, charged incrementally by the server), reports
  every logged step of the curve with ``trial.report`` and asks
  ``trial.should_prune()`` after each; a pruned trial is a run of the steps it
  reached.

Costs are the server's: each eval reply's ``cost`` (continuations only pay
for the extra steps). A job ends when the next request would take the spent
total over the budget; that request is not counted (as in mixopt's own
harness, a run that does not fit the budget is not run).

On simulated workers (a job with ``"clock": {"workers": q, "overhead": {scale: t}}``,
from ``mixopt bench --workers-sim q``), ``optuna-tpe`` runs asynchronously with
``TPESampler(constant_liar=True)`` (for q > 1): the clock of mixopt's harness
(src/bench/simulate.ts and sim-clock.ts, without jitter) is simulated here. While a
worker is free, the driver asks Optuna for a trial (the running ones are pending:
asked, not told; the constant liar scores them as the worst value so far) and
launches it, if the budget holds it with every running run (``spent + committed +
c <= budget``; the first that does not fit ends launching, and the running runs
finish). A run launched at t0 on the free worker with the lowest index ends at
``t0 + o_m + c``; the clock then jumps to the earliest end (ties: the earlier
launched), the run is told to Optuna and recorded with ``start``, ``time`` and
``worker``. The server charges a run when it is asked for it; the driver tells
Optuna its value only when the run ends on the clock.

After each trial the driver records the mixture it would recommend now: the
best final value among the runs trained furthest (for TPE: the best target
run). ``confirm`` says whether a confirmation run at the target is charged
(the recommendation is not a completed target run). The TRUE target value of
the recommendation is not asked from the server (it has no oracle op): mixopt
computes it from the same testbed when it converts this log into a trajectory
(src/bench/peers.ts).

Usage:
  /usr/bin/python3 bench/peers/optuna_driver.py --testbed law \
      --jobs '[{"method":"optuna-tpe","metric":"c4_cross_entropy","seed":0,"optimizerSeed":1,"budget":1500}]' \
      [--mixopt "node bin/mixopt.mjs"] [--data-dir DIR] [--noise NOISE]
  (``--jobs -`` reads the JSON list from stdin.)

Writes one JSON line per job on stdout:
  {"method","testbed","metric","direction","seed","optimizerSeed","budget","targetCost",
   "optunaVersion","clock"?,"runs":[{"run","proposal":{"mixture","scale","steps"},"cost","spent",
   "observed","recommended","confirm","start"?,"time"?,"worker"?}], "error"?}
"""

import argparse
import json
import math
import shlex
import subprocess
import sys
import warnings

import optuna


class ServerError(Exception):
    pass


class Server:
    """A `mixopt testbed serve` child speaking JSON lines."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.next_id = 0

    def call(self, req):
        self.next_id += 1
        req = dict(req, id=self.next_id)
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if line == "":
            raise ServerError("testbed server closed its output (did it fail to start?)")
        reply = json.loads(line)
        if "error" in reply:
            e = reply["error"]
            raise ServerError(f"{e.get('code')}: {e.get('message')}")
        return reply["result"]

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def mixture_from_trial(trial, k):
    """Optuna FAQ: x_i ~ U(0,1), w_i = -log x_i / sum_j -log x_j (Dirichlet(1) for uniform x)."""
    xs = [trial.suggest_float(f"x_{i}", 0.0, 1.0) for i in range(k)]
    e = [-math.log(max(x, 1e-300)) for x in xs]
    s = sum(e)
    if not (s > 0):
        return [1.0 / k] * k
    return [v / s for v in e]


def rung_ends(min_r, max_r, eta, log_every):
    """Every step where some Hyperband bracket may prune (min_r * eta^j), plus max_r."""
    ends = set()
    r = min_r
    while r < max_r:
        ends.add(int(r))
        r *= eta
    ends.add(int(max_r))
    return sorted(e for e in ends if e % log_every == 0 or e == max_r)


def better(direction, a, b):
    return a < b if direction == "minimize" else a > b


def recommend(direction, records):
    """Best final value among the runs trained furthest (first such on ties)."""
    top = max(r["proposal"]["steps"] for r in records)
    best = None
    for r in records:
        if r["proposal"]["steps"] != top:
            continue
        if best is None or better(direction, r["observed"], best["observed"]):
            best = r
    return best


def recommend_into(direction, records, rec, z_star):
    """Adds to the last record the mixture recommended now and whether it needs confirming."""
    best = recommend(direction, records)
    rec["recommended"] = best["proposal"]["mixture"]
    rec["confirm"] = best["proposal"]["steps"] != z_star


def run_async_tpe(server, job, out, k, size, z_star, eps):
    """optuna-tpe on q simulated workers with the constant liar (see the module comment)."""
    clock = job["clock"]
    q = int(clock["workers"])
    overhead = clock.get("overhead", {})
    metric, direction, budget = out["metric"], out["direction"], out["budget"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(seed=int(job["optimizerSeed"]), constant_liar=q > 1)
    name = f"optuna-tpe-{metric}-{job['optimizerSeed']}"
    study = optuna.create_study(study_name=name, direction=direction, sampler=sampler)
    records = out["runs"]
    free = list(range(q))
    running = []
    now = 0.0
    spent = 0.0
    launched = 0
    launching = True
    while True:
        while launching and free:
            trial = study.ask()
            w = mixture_from_trial(trial, k)
            r = server.call(
                {"op": "eval", "mixture": w, "size": size, "steps": z_star, "metric": metric}
            )
            committed = sum(run["cost"] for run in running)
            if spent + committed + r["cost"] > budget + eps or launched >= 10_000:
                launching = False  # this run does not fit: not counted, launching ends
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                break
            train_start = now + float(overhead.get(size, 0))
            running.append(
                {
                    "index": launched,
                    "trial": trial,
                    "mixture": w,
                    "cost": r["cost"],
                    "value": r["curve"][-1]["value"],
                    "start": now,
                    "end": train_start + r["cost"],
                    "worker": free.pop(0),
                }
            )
            launched += 1
        if not running:
            break
        run = min(running, key=lambda x: (x["end"], x["index"]))
        running.remove(run)
        now = run["end"]
        free.append(run["worker"])
        free.sort()
        spent += run["cost"]
        study.tell(run["trial"], run["value"])
        rec = {
            "run": run["index"],
            "proposal": {"mixture": run["mixture"], "scale": size, "steps": z_star},
            "cost": run["cost"],
            "spent": spent,
            "observed": run["value"],
            "start": run["start"],
            "time": now,
            "worker": run["worker"],
        }
        records.append(rec)
        recommend_into(direction, records, rec, z_star)
    return out


def run_job(server, info, job):
    metric = job["metric"]
    spec = next((m for m in info["metrics"] if m["name"] == metric), None)
    if spec is None:
        raise ServerError(f"testbed '{info['name']}' has no metric '{metric}'")
    direction = spec["direction"]
    method = job["method"]
    budget = float(job["budget"])
    eps = 1e-9 * max(1.0, budget)
    k = len(info["domains"])
    size = info["target"]["scale"]
    z_star = int(info["target"]["steps"])
    log_every = int(info["steps"]["logEvery"])
    z_min = int(info["steps"]["min"])
    target_cost = float(info["targetCost"])
    # The seed names the noise replicates of this job's runs (noisy testbeds only).
    server.call({"op": "reset", "seed": int(job["optimizerSeed"])})
    out = {
        "method": method,
        "testbed": info["name"],
        "metric": metric,
        "direction": direction,
        "seed": job["seed"],
        "optimizerSeed": job["optimizerSeed"],
        "budget": budget,
        "targetCost": target_cost,
        "optunaVersion": optuna.__version__,
        "runs": [],
    }
    clock = job.get("clock")
    if clock is not None:
        if method != "optuna-tpe":
            raise ServerError(f"{method} runs sequentially only; on simulated workers: optuna-tpe")
        out["clock"] = clock
        return run_async_tpe(server, job, out, k, size, z_star, eps)
    records = out["runs"]
    spent = 0.0
    sampler = optuna.samplers.TPESampler(seed=int(job["optimizerSeed"]))
    # A fixed study name: HyperbandPruner assigns trials to brackets by a hash of the
    # study name and trial number, and a generated name would make runs irreproducible.
    name = f"{method}-{metric}-{job['optimizerSeed']}"
    if method == "optuna-tpe":
        study = optuna.create_study(study_name=name, direction=direction, sampler=sampler)
        ends = [z_star]
    elif method == "optuna-hyperband":
        min_r = max(z_min, log_every)
        pruner = optuna.pruners.HyperbandPruner(
            min_resource=min_r, max_resource=z_star, reduction_factor=3
        )
        study = optuna.create_study(
            study_name=name, direction=direction, sampler=sampler, pruner=pruner
        )
        ends = rung_ends(min_r, z_star, 3, log_every)
    else:
        raise ServerError(f"unknown method '{method}'; accepted: optuna-tpe, optuna-hyperband")

    def record(trial_w, steps, cost_trial, observed):
        rec = {
            "run": len(records),
            "proposal": {"mixture": trial_w, "scale": size, "steps": steps},
            "cost": cost_trial,
            "spent": spent,
            "observed": observed,
        }
        records.append(rec)
        recommend_into(direction, records, rec, z_star)

    done = False
    while not done and len(records) < 10_000:
        trial = study.ask()
        w = mixture_from_trial(trial, k)
        reached = 0
        last = None
        cost_trial = 0.0
        pruned = False
        for end in ends:
            r = server.call(
                {"op": "eval", "mixture": w, "size": size, "steps": end, "metric": metric}
            )
            if spent + r["cost"] > budget + eps:
                done = True  # this segment does not fit: not counted, the job ends
                break
            spent += r["cost"]
            cost_trial += r["cost"]
            for p in r["curve"]:
                if p["step"] <= reached:
                    continue
                last = p["value"]
                reached = p["step"]
                if method == "optuna-hyperband":
                    trial.report(last, reached)
                    if trial.should_prune():
                        pruned = True
                        break
            if pruned:
                break
        if reached == 0:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            break
        if pruned:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        elif reached == z_star:
            study.tell(trial, last)
        else:
            # Stopped by the budget part-way: the partial run was paid for, so it is recorded.
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        record(w, reached, cost_trial, last)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--testbed", required=True)
    ap.add_argument("--jobs", required=True, help="JSON list of jobs, or - for stdin")
    ap.add_argument("--mixopt", default="node bin/mixopt.mjs")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--fit", action="store_true", help="open recorded runs fitted")
    ap.add_argument("--noise", default=None, help="observation noise spec passed to the server")
    a = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    jobs = json.loads(sys.stdin.read() if a.jobs == "-" else a.jobs)
    argv = shlex.split(a.mixopt) + ["testbed", "serve", a.testbed]
    if a.data_dir is not None:
        argv += ["--data-dir", a.data_dir]
    if a.cache_dir is not None:
        argv += ["--cache-dir", a.cache_dir]
    if a.fit:
        argv += ["--fit"]
    if a.noise is not None:
        argv += ["--noise", a.noise]
    server = Server(argv)
    try:
        info = server.call({"op": "info"})
        for job in jobs:
            try:
                out = run_job(server, info, job)
            except Exception as err:  # one failed job does not stop the others
                out = dict(job, testbed=a.testbed, runs=[], error=f"{type(err).__name__}: {err}")
            sys.stdout.write(json.dumps(out) + "\n")
            sys.stdout.flush()
    finally:
        server.close()


if __name__ == "__main__":
    main()
