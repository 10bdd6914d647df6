import path from 'node:path';

/**
 * The repository root, whether the code runs from source (ts-jest, ts-node:
 * common/src) or compiled (dist/common/src): protos/, db/migrations/ and dist/
 * are found from here.
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []));
