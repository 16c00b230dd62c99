import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, END_MARKER, parseManagedRoutes, renderManagedSection, withManagedSection } from '../../../core/registrars/haproxy-config.js';

const OPERATOR = [
  'frontend stats',
  '    bind 127.0.0.1:8404',
  '    acl host_outside hdr(host) -i outside.local',
  'backend be_outside',
  '    server outside 10.0.0.9:80',
  '',
].join('\n');

describe('parseManagedRoutes', () => {
  it('reads back every route it rendered, and nothing from the operator\'s part of the file', () => {
    const routes = [
      { name: 'uat', host: 'uat.example.test', address: '127.0.0.1', port: 20004 },
      { name: 'dev', host: 'dev.example.test', address: '10.1.2.3', port: 20001 },
    ];
    const text = withManagedSection(OPERATOR, renderManagedSection(routes, { generation: 4 }));
    expect(parseManagedRoutes(text)).toEqual([routes[1], routes[0]]);
    expect(parseManagedRoutes(OPERATOR)).toEqual([]);
  });

  it('reads a hand-edited section: tabs, CRLF line ends, a server outside its backend, a route without an acl', () => {
    const section = [
      BEGIN_MARKER,
      'frontend http-in',
      '\tacl host_dev hdr(host) -i dev.local\r',
      '  acl host_broken hdr(host) -i two words',
      'backend be_dev\r',
      '\tserver dev 127.0.0.1:20001 check\r',
      'backend be_other',
      '    server dev 127.0.0.1:20999',
      'backend be_nohost',
      '    server nohost 127.0.0.1:20007',
      END_MARKER,
    ].join('\n');
    expect(parseManagedRoutes(withManagedSection(OPERATOR, section))).toEqual([
      { name: 'dev', host: 'dev.local', address: '127.0.0.1', port: 20001 },
      { name: 'nohost', host: '', address: '127.0.0.1', port: 20007 },
    ]);
  });
});
