// Every StudyStore implementation passes the shared contract (./study-store.contract.ts).
import { describe } from 'node:test';
import { MemoryStudyStore, SqliteStudyStore } from '../internals.ts';
import { tempDb } from '../study/helpers.ts';
import { studyStoreContract } from './study-store.contract.ts';

describe('StudyStore contract', () => {
  studyStoreContract('SqliteStudyStore', {
    make: (clock) => SqliteStudyStore.open(tempDb(), { clock }),
    reopen: (store, clock) => SqliteStudyStore.open(store.path, { clock }),
  });
  studyStoreContract('MemoryStudyStore', { make: (clock) => new MemoryStudyStore({ clock }) });
});
