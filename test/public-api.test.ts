// The curated public entry (src/index.ts): the exact list of names, and a
// TSDoc summary on every one (read with the TypeScript compiler, as an editor
// would show it). Adding a public name means adding it here too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ts from 'typescript';
import * as api from '../src/index.ts';
import {
  ConfigError,
  NotFoundError,
  Study,
  type StudyConfigInput,
  searchSpace,
  ValidationError,
} from '../src/index.ts';
import { smallConfig, tempDb } from './study/helpers.ts';

/** A valid config as written in a file, scales out of order, default optimiser. */
const CONFIG = smallConfig({
  name: 'api',
  optimizer: undefined,
  scales: [
    { name: '1B', params: 1e9 },
    { name: '20M', params: 20e6 },
  ],
}) as StudyConfigInput;

/** Value exports (types are checked by the TSDoc test below). */
const VALUES = [
  'ConfigError',
  'DataError',
  'ExecutorError',
  'MixoptError',
  'NotFoundError',
  'NumericsError',
  'StateError',
  'SqliteStudyStore',
  'Study',
  'ValidationError',
  'createExecutor',
  'createLocalExecutor',
  'createOptimizer',
  'createSimulatorExecutor',
  'createSlurmExecutor',
  'getTestbed',
  'listOptimizers',
  'listTestbeds',
  'loadStudyConfig',
  'openTestbed',
  'parseStudyConfig',
  'recommendStudy',
  'referenceOptimum',
  'registerOptimizer',
  'runBenchmark',
  'runStudy',
  'searchSpace',
  'studyJsonSchema',
  'validateMixture',
];

describe('public API (src/index.ts)', () => {
  it('exports exactly the curated values', () => {
    assert.deepEqual(Object.keys(api).sort(), [...VALUES].sort());
  });

  it('every exported name, type or value, has a TSDoc summary; about 60 in all', () => {
    const entry = new URL('../src/index.ts', import.meta.url).pathname;
    const program = ts.createProgram([entry], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      allowImportingTsExtensions: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    });
    const checker = program.getTypeChecker();
    const file = program.getSourceFile(entry);
    assert.ok(file !== undefined);
    const mod = checker.getSymbolAtLocation(file);
    assert.ok(mod !== undefined);
    const names = checker.getExportsOfModule(mod);
    const undocumented = names
      .filter((s) => {
        const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
        return ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === '';
      })
      .map((s) => s.name);
    assert.deepEqual(undocumented, [], `exported without TSDoc: ${undocumented.join(', ')}`);
    assert.ok(names.length >= 50 && names.length <= 75, `${names.length} public names`);
  });
});

describe('Study.create / Study.open / searchSpace', () => {
  it('creates a study from a config as written in a file, and reopens it by path', () => {
    const db = tempDb();
    const s = Study.create(CONFIG, { db });
    // Defaults applied, scales sorted by size.
    assert.equal(s.config.optimizer.method, 'mfms-bo');
    assert.deepEqual(
      s.config.scales.map((x) => x.name),
      ['20M', '1B'],
    );
    const [t] = s.ask();
    assert.ok(t !== undefined);
    const again = Study.open(db);
    assert.equal(again.name, 'api');
    assert.deepEqual(
      again.trials().map((x) => [x.id, x.state]),
      [[t.id, 'running']],
    );
    assert.equal(Study.open(db, 'api').name, 'api');
    assert.throws(() => Study.open(db, 'nope'), NotFoundError);
    // A validated config round-trips through create.
    const copy = Study.create({ ...s.config, name: 'copy' }, { db: ':memory:' });
    assert.deepEqual({ ...copy.config, name: 'api' }, s.config);
  });

  it('rejects a bad config (every problem) and a missing db', () => {
    assert.throws(
      () => Study.create({ ...CONFIG, target: { scale: '7B', steps: 1000 } }, { db: ':memory:' }),
      (e: unknown) => e instanceof ConfigError && /target\.scale must be one of/.test(e.message),
    );
    assert.throws(
      () => Study.create(CONFIG, {} as never),
      (e: unknown) => e instanceof ValidationError && /needs db/.test(e.message),
    );
  });

  it('searchSpace: the optimiser view of a config, with its cost in 100 target steps', () => {
    const sp = searchSpace(CONFIG);
    assert.deepEqual(sp.domains, ['a', 'b', 'c']);
    assert.equal(sp.cost('1B', 1000), 10);
    assert.ok(Math.abs(sp.cost('20M', 1000) - 0.2) < 1e-12); // a 20M step is 0.02 of a 1B step
    assert.deepEqual(sp.target, { scale: '1B', steps: 1000 });
    assert.throws(() => searchSpace({ ...CONFIG, domains: ['a'] }), ConfigError);
  });
});
