// The bound-constrained local optimiser used by the acquisition search.
// TEMPORARY: points at the GP folder's stand-in until src/linalg exports lbfgsb; then
// this file becomes `export { lbfgsb } from '../linalg/index.ts';`.
export { lbfgsb } from '../gp/tmp-lbfgsb.ts';
