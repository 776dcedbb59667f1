// A worker process for the concurrency test: asks for trials, tells three
// points for each, then --final. Prints one JSON line per asked trial.
// Usage: node --import tsx test/study/concurrent-worker.ts DB NAME ROUNDS N
import { SqliteStudyStore, Study } from '../../src/index.ts';

const [db, name, rounds, n] = process.argv.slice(2) as [string, string, string, string];
const study = new Study(SqliteStudyStore.open(db), undefined);
for (let r = 0; r < Number(rounds); r++) {
  for (const t of study.ask(Number(n), { owner: name })) {
    process.stdout.write(`${JSON.stringify({ worker: name, trial: t.id })}\n`);
    for (const step of [100, 500, 1000])
      study.tell(t.id, { step, value: 3 - step / 1000 + t.id / 1e6 }, name);
    study.finish(t.id);
  }
}
