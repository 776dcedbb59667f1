// Fit-thread bootstrap: registers the TypeScript loader in this thread, then loads the
// TypeScript fit thread (./fit-worker.ts). Plain JS so Node can start it as is.
import { register } from 'tsx/esm/api';

register();
await import('./fit-worker.ts');
