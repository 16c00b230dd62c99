import { describe, expect, it } from 'vitest';
import { isRequest, lineReader } from '../../../core/db/embedded/protocol.js';

function reader(maxLineBytes = 1 << 30) {
  const messages: unknown[] = [];
  const invalid: string[] = [];
  const feed = lineReader((message) => messages.push(message), { onInvalid: (reason) => invalid.push(reason), maxLineBytes: () => maxLineBytes });
  return { messages, invalid, feed };
}

describe('the owner protocol\'s line reader', () => {
  it('reassembles a message split anywhere, even inside a multi-byte character', () => {
    const { messages, feed } = reader();
    const bytes = Buffer.from(`${JSON.stringify({ id: 1, text: 'opening database… ✓ 数据库' })}\n${JSON.stringify({ id: 2 })}\n`);
    for (let i = 0; i < bytes.length; i += 3) feed(bytes.subarray(i, i + 3));
    expect(messages).toEqual([{ id: 1, text: 'opening database… ✓ 数据库' }, { id: 2 }]);
  });

  it('reads a 3 MB message in 64 KB chunks', () => {
    const { messages, feed } = reader();
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ name: `env-${i}`, provider: 'kind', subnet: null, pfPort: 20000 + i }));
    const bytes = Buffer.from(`${JSON.stringify({ id: 7, ok: true, result: { rows } })}\n`);
    expect(bytes.length).toBeGreaterThan(500_000);
    for (let i = 0; i < bytes.length; i += 65_536) feed(bytes.subarray(i, i + 65_536));
    expect(messages).toEqual([{ id: 7, ok: true, result: { rows } }]);
  });

  it('stops at the first line that is not JSON, or longer than allowed, and reports it once', () => {
    const garbage = reader();
    garbage.feed(Buffer.from('{"id":1}\n{oops\n{"id":2}\n'));
    expect(garbage.messages).toEqual([{ id: 1 }]);
    expect(garbage.invalid).toEqual(['a message that is not JSON']);
    const long = reader(16);
    long.feed(Buffer.from('{"id":1,"padding":"'));
    long.feed(Buffer.from('xxxxxxxxxxxxxxxxxxxxxxx"}\n'));
    expect(long.messages).toEqual([]);
    expect(long.invalid).toEqual(['a message longer than allowed']);
  });

  it('accepts only well-formed requests', () => {
    expect(isRequest({ id: 1, op: 'hello', token: 't' })).toBe(true);
    expect(isRequest({ id: 1, op: 'query', sql: 'SELECT 1', params: [] })).toBe(true);
    for (const bad of [null, [], 'x', { id: '1', op: 'begin' }, { id: 1, op: 'drop' }, { id: 1, op: 'query', sql: 1, params: [] },
      { id: 1, op: 'commit' }, { id: 1, op: 'query', sql: 'x', params: [], tx: 'a' }]) {
      expect(isRequest(bad)).toBe(false);
    }
  });
});
