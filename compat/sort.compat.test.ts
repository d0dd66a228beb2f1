/** SORT and SORT_RO against a real redis-server, byte for byte: BY, GET, LIMIT, ALPHA, STORE, every source type and error. */
import { bothProtocols, describeCompat, type Script } from './harness.ts';

const setup: Script = [
  ['RPUSH', 'l{t}', '3', '1', '2', '10', '-5', '2.5'], ['RPUSH', 'words{t}', 'pear', 'apple', 'Banana', 'cherry', '10', '9'],
  ['SADD', 's{t}', '5', '3', '9', '1'], ['ZADD', 'z{t}', '3', 'c', '1', 'a', '2', 'b', '0', 'z'],
  ['MSET', 'w_1{t}', '30', 'w_2{t}', '20', 'w_3{t}', '10', 'w_10{t}', '5', 'w_-5{t}', '50', 'o_1{t}', 'one', 'o_2{t}', 'two', 'o_3{t}', 'three'],
  ['HSET', 'h_1{t}', 'f', '9', 'name', 'uno'], ['HSET', 'h_2{t}', 'f', '8', 'name', 'dos'], ['HSET', 'h_3{t}', 'f', '7'],
];

describeCompat('sort', (t) => {
  t('numeric and ALPHA ordering, ASC/DESC, LIMIT', (p) => bothProtocols(p, [
    ...setup,
    ['SORT', 'l{t}'], ['SORT', 'l{t}', 'DESC'], ['SORT', 'l{t}', 'LIMIT', '1', '3'], ['SORT', 'l{t}', 'LIMIT', '-1', '2'], ['SORT', 'l{t}', 'LIMIT', '2', '-1'],
    ['SORT', 'l{t}', 'LIMIT', '10', '5'], ['SORT', 'l{t}', 'LIMIT', '0', '0'], ['SORT', 'words{t}'], ['SORT', 'words{t}', 'ALPHA'], ['SORT', 'words{t}', 'ALPHA', 'DESC'],
    ['SORT', 'words{t}', 'ALPHA', 'LIMIT', '1', '2'], ['SORT', 's{t}'], ['SORT', 's{t}', 'DESC', 'LIMIT', '0', '2'], ['SORT', 'z{t}', 'ALPHA'], ['SORT', 'z{t}', 'BY', 'nosort'],
    ['SORT', 'z{t}', 'BY', 'nosort', 'DESC'], ['SORT', 'z{t}', 'BY', 'nosort', 'LIMIT', '1', '2'], ['SORT', 'z{t}', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'],
    ['SORT', 'nope{t}'], ['SORT_RO', 'l{t}', 'DESC'], ['SORT_RO', 'words{t}', 'ALPHA', 'LIMIT', '0', '3'],
  ]));

  t('BY patterns and GET: keys, hash fields, #, missing values', (p) => bothProtocols(p, [
    ...setup,
    ['SORT', 'l{t}', 'BY', 'w_*{t}'], ['SORT', 'l{t}', 'BY', 'w_*{t}', 'DESC'], ['SORT', 'l{t}', 'BY', 'w_*{t}', 'GET', '#', 'GET', 'o_*{t}'],
    ['SORT', 's{t}', 'BY', 'h_*{t}->f', 'GET', 'h_*{t}->name', 'GET', '#'], ['SORT', 's{t}', 'BY', 'nosort', 'GET', 'o_*{t}'],
    ['SORT', 'words{t}', 'BY', 'missing_*{t}', 'ALPHA'], ['SORT', 'l{t}', 'BY', 'nosort'], ['SORT', 'l{t}', 'GET', 'o_*{t}', 'LIMIT', '0', '3'],
    ['SORT', 'l{t}', 'GET', 'h_*{t}->'], ['SORT', 'l{t}', 'GET', 'h_*{t}->f'], ['SORT', 'l{t}', 'GET', 'nostar{t}'], ['SORT', 'l{t}', 'BY', 'h_*{t}->f', 'ALPHA'],
    ['SET', 'bad_1{t}', 'x'], ['SORT', 'l{t}', 'BY', 'bad_*{t}'], ['SORT', 'l{t}', 'BY', 'bad_*{t}', 'ALPHA'],
    ['SORT_RO', 's{t}', 'BY', 'w_*{t}', 'GET', '#', 'GET', 'w_*{t}'],
  ]));

  t('STORE: list results, empty results delete, overwriting other types', (p) => bothProtocols(p, [
    ...setup,
    ['SORT', 'l{t}', 'STORE', 'out{t}'], ['LRANGE', 'out{t}', '0', '-1'], ['TYPE', 'out{t}'],
    ['SORT', 's{t}', 'BY', 'h_*{t}->f', 'GET', 'h_*{t}->name', 'STORE', 'out{t}'], ['LRANGE', 'out{t}', '0', '-1'],
    ['SET', 'str{t}', 'x'], ['SORT', 'l{t}', 'LIMIT', '0', '2', 'STORE', 'str{t}'], ['TYPE', 'str{t}'], ['LRANGE', 'str{t}', '0', '-1'],
    ['SORT', 'nope{t}', 'STORE', 'out{t}'], ['EXISTS', 'out{t}'], ['SORT', 'l{t}', 'LIMIT', '100', '1', 'STORE', 'out{t}'], ['EXISTS', 'out{t}'],
    ['EXPIRE', 'l{t}', '100'], ['SORT', 'l{t}', 'STORE', 'l{t}'], ['TTL', 'l{t}'], ['LRANGE', 'l{t}', '0', '-1'],
  ]));

  t('errors', (p) => bothProtocols(p, [
    ...setup,
    ['SORT', 'words{t}'], ['SORT', 'l{t}', 'LIMIT', '1'], ['SORT', 'l{t}', 'LIMIT', 'a', '1'], ['SORT', 'l{t}', 'FOO'], ['SORT', 'l{t}', 'BY'],
    ['SORT', 'l{t}', 'GET'], ['SORT', 'l{t}', 'STORE'], ['SORT_RO', 'l{t}', 'STORE', 'x{t}'], ['SET', 'str{t}', 'v'], ['SORT', 'str{t}'], ['SORT'],
    ['HSET', 'hash{t}', 'a', '1'], ['SORT', 'hash{t}'], ['SORT', 'l{t}', 'ASC', 'DESC'], ['SORT', 'l{t}', 'DESC', 'ASC'], ['SORT', 'l{t}', 'ALPHA', 'ALPHA'],
    ['RPUSH', 'nan{t}', '1', 'nan', '2'], ['SORT', 'nan{t}'], ['RPUSH', 'inf{t}', 'inf', '-inf', '1e400', '0x10', ' 1'], ['SORT', 'inf{t}'],
  ]));
});
