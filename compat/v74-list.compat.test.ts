/**
 * Lists and blocking timeouts as Redis 7.4.1 has them, against recorded
 * replies (compat/recorded.ts): LPOS RANK takes -LONG_MAX .. LONG_MAX
 * (7.2: LLONG_MIN, which cannot be negated, is out of range), and a blocking
 * timeout past LLONG_MAX ms, infinite, or overflowing when added to the
 * clock is "timeout is out of range" (7.0 said "timeout is negative").
 */
import { recordedSuite } from './recorded.ts';

recordedSuite('v74-list', {
  'LPOS RANK range': [
    ['RPUSH', 'mylist', 'a', 'b', 'c', '1', '2', '3', 'c', 'c'],
    ['LPOS', 'mylist', 'c', 'RANK', '-9223372036854775808'],
    ['LPOS', 'mylist', 'c', 'RANK', '-9223372036854775807'],
    ['LPOS', 'mylist', 'c', 'RANK', '9223372036854775807'],
    ['LPOS', 'mylist', 'c', 'RANK', '-9223372036854775809'],
    ['LPOS', 'mylist', 'c', 'RANK', '-1'], ['LPOS', 'mylist', 'c', 'RANK', '0'],
    ['LPOS', 'nokey', 'c', 'RANK', '-9223372036854775808'],
  ],
  'blocking timeouts out of range': [
    ['BLPOP', 'l', '0x7FFFFFFFFFFFFF'], ['BLPOP', 'l', 'inf'], ['BLPOP', 'l', '+inf'], ['BLPOP', 'l', '-inf'],
    ['BLPOP', 'l', '1e400'], ['BLPOP', 'l', '-1e400'], ['BLPOP', 'l', '9223372036854776'], ['BLPOP', 'l', '9223372036854775'],
    ['BRPOP', 'l', '1e5000'], ['BLMOVE', 'l', 'd', 'LEFT', 'RIGHT', '1e20'], ['BZPOPMIN', 'z', '1e20'],
    ['BLMPOP', '1e20', '1', 'l', 'LEFT'], ['BZMPOP', 'inf', '1', 'z', 'MIN'],
    ['XREAD', 'BLOCK', '9223372036854775807', 'STREAMS', 's', '0'],
    ['XREAD', 'BLOCK', '9223372036854775808', 'STREAMS', 's', '0'],
  ],
});
