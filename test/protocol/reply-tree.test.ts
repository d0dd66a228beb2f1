/**
 * RESP replies as proto/shardis.proto's Reply (src/protocol/reply-tree.ts),
 * RESP2 and RESP3 types, and through the proto's encoder and back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandReply, replyMessage, type ReplyMessage } from '../../src/protocol/reply-tree.ts';
import { shardisService } from '../../src/server/grpc/proto.ts';

const reply = (resp: string): ReplyMessage => {
  const b = Buffer.from(resp, 'latin1');
  const r = replyMessage(b, 0, b.length);
  assert.equal(r.next, b.length, 'the whole reply was read');
  return r.reply;
};
const str = (s: string | number[]): ReplyMessage => ({ string: Buffer.from(typeof s === 'string' ? Buffer.from(s, 'latin1') : s) });

test('RESP2 replies: strings as bytes, integers with every digit, nulls, nested arrays and errors', () => {
  assert.deepEqual(reply('+OK\r\n'), str('OK'));
  assert.deepEqual(reply('$3\r\n\x00\xff\n\r\n'), str([0, 0xff, 10]));
  assert.deepEqual(reply('$0\r\n\r\n'), str(''));
  assert.deepEqual(reply(':-9223372036854775808\r\n'), { integer: '-9223372036854775808' });
  assert.deepEqual(reply('$-1\r\n'), { null: {} });
  assert.deepEqual(reply('*-1\r\n'), { null: {} });
  assert.deepEqual(reply('*0\r\n'), { array: { items: [] } });
  assert.deepEqual(reply('*3\r\n$1\r\na\r\n*1\r\n:1\r\n-ERR x\r\n'), { array: { items: [str('a'), { array: { items: [{ integer: '1' }] } }, { error: 'ERR x' }] } });
  assert.deepEqual(reply('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'), { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
});

test('RESP3 replies: maps and sets flattened, doubles (inf, nan), booleans, verbatim, big numbers, bulk errors, attributes skipped', () => {
  assert.deepEqual(reply('%1\r\n$1\r\nk\r\n,1.5\r\n'), { array: { items: [str('k'), { double: 1.5 }] } });
  assert.deepEqual(reply('~2\r\n#t\r\n#f\r\n'), { array: { items: [{ boolean: true }, { boolean: false }] } });
  assert.deepEqual(reply(',inf\r\n'), { double: Infinity });
  assert.deepEqual(reply(',-inf\r\n'), { double: -Infinity });
  assert.deepEqual(reply(',nan\r\n'), { double: NaN });
  assert.deepEqual(reply('=7\r\ntxt:abc\r\n'), str('abc'));
  assert.deepEqual(reply('(123456789012345678901234567890\r\n'), { big_integer: '123456789012345678901234567890' });
  assert.deepEqual(reply('!5\r\nERR x\r\n'), { error: 'ERR x' });
  assert.deepEqual(reply('_\r\n'), { null: {} });
  assert.deepEqual(reply('|1\r\n+key\r\n+val\r\n:7\r\n'), { integer: '7' });
});

test("a command's reply is the first that is not a push; none under CLIENT REPLY OFF", () => {
  const b = Buffer.from('>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n+OK\r\n', 'latin1');
  assert.deepEqual(commandReply(b), str('OK'));
  assert.equal(commandReply(Buffer.alloc(0)), null);
  assert.throws(() => commandReply(Buffer.from('$5\r\nab')), RangeError);
});

test('through the proto: int64 extremes, non-finite doubles, nested arrays and bytes survive encoding', () => {
  const m = shardisService().Execute!;
  const round = (r: ReplyMessage): unknown => m.responseDeserialize(m.responseSerialize(r));
  assert.deepEqual(round({ integer: '-9223372036854775808' }), { integer: '-9223372036854775808', value: 'integer' });
  assert.deepEqual(round({ integer: '9223372036854775807' }), { integer: '9223372036854775807', value: 'integer' });
  assert.deepEqual(round({ double: -Infinity }), { double: -Infinity, value: 'double' });
  assert.deepEqual(round({ null: {} }), { null: {}, value: 'null' });
  assert.deepEqual(round({ boolean: false }), { boolean: false, value: 'boolean' });
  assert.deepEqual(round({ array: { items: [str([0, 0xff]), { array: { items: [{ error: 'ERR x' }] } }] } }), {
    array: { items: [{ string: Buffer.from([0, 0xff]), value: 'string' }, { array: { items: [{ error: 'ERR x', value: 'error' }] }, value: 'array' }] },
    value: 'array',
  });
});
