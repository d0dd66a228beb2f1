/**
 * XADD's "ms-*" IDs as Redis 7.4.1 has them, against recorded replies
 * (compat/recorded.ts): when the last ID has that ms and the maximal
 * sequence, 7.4 answers "equal or smaller" (7.0: "Elements are too large").
 */
import { recordedSuite } from './recorded.ts';

recordedSuite('v74-stream-ids', {
  'XADD ms-* after the maximal sequence': [
    ['XADD', 'x', '1-18446744073709551615', 'f1', 'v1'], ['XADD', 'x', '1-*', 'f2', 'v2'], ['XADD', 'x', '2-*', 'f2', 'v2'],
    ['XADD', 'big', '9007199254740993-18446744073709551615', 'f', 'v'], ['XADD', 'big', '9007199254740993-*', 'f', 'v'], ['XLEN', 'big'],
  ],
});
