/** Log lines as Redis's serverLogRaw and syslog priorities as syslog(3) (src/server/log.ts, syslog.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisLogLine, redisLogTime } from '../../src/server/log.ts';
import { loggerArgs, syslogPriority } from '../../src/server/syslog.ts';

test("Redis's timestamp: two-digit day, month name, milliseconds padded to three digits, local time", () => {
  assert.equal(redisLogTime(new Date(2024, 0, 5, 3, 4, 9, 7)), '05 Jan 2024 03:04:09.007');
  assert.equal(redisLogTime(new Date(2026, 11, 31, 23, 59, 59, 999)), '31 Dec 2026 23:59:59.999');
  assert.equal(redisLogTime(new Date(2026, 5, 15, 12, 0, 0, 40)), '15 Jun 2026 12:00:00.040');
});

test('a line: pid:role time mark message, marks .-*# by level', () => {
  const d = new Date(2024, 1, 29, 10, 11, 12, 130);
  assert.equal(redisLogLine('notice', 'Ready to accept connections', 'M', d, 42), '42:M 29 Feb 2024 10:11:12.130 * Ready to accept connections\n');
  assert.equal(redisLogLine('warning', 'w', 'S', d, 42), '42:S 29 Feb 2024 10:11:12.130 # w\n');
  assert.equal(redisLogLine('verbose', 'v', 'M', d, 42).split(' ')[5], '-');
  assert.equal(redisLogLine('debug', 'd', 'M', d, 42).split(' ')[5], '.');
});

test('syslog priorities and the logger command line', () => {
  // local0 (16) × 8 + notice (5); user (1) × 8 + warning (4); debug 7, verbose → info 6
  assert.equal(syslogPriority('local0', 'notice'), 133);
  assert.equal(syslogPriority('user', 'warning'), 12);
  assert.equal(syslogPriority('local7', 'debug'), 191);
  assert.equal(syslogPriority('local1', 'verbose'), 142);
  assert.deepEqual(loggerArgs('redis', '', 7), ['--prio-prefix', '--id=7', '-t', 'redis']);
  assert.deepEqual(loggerArgs('x', 'logs.example:1514', 7).slice(4), ['--server', 'logs.example', '--port', '1514', '--udp', '--rfc3164']);
  assert.deepEqual(loggerArgs('x', '[::1]:514', 7).slice(4, 8), ['--server', '::1', '--port', '514']);
  assert.deepEqual(loggerArgs('x', 'collector', 7).slice(4, 8), ['--server', 'collector', '--port', '514']);
});
