/** Seed 004's template error table, and the errors a plan author sees: what failed, where (line:column), what to do. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors.js';
import { TemplateError, parseTemplate, renderString } from '../../../core/templates/index.js';

const data = { planName: 'p', params: { empty: '', replicas: 'three', cluster: 'c1' } };

function failure(source: string, input: unknown = data): TemplateError {
  try {
    renderString(source, input, { name: 'action' });
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('seed 004 error table', () => {
  // | 错误场景 | 处理方式 | 说明 |
  const table: { scenario: string; source: string; outcome: 'error' | string; reason?: string; mentions?: string }[] = [
    { scenario: '未定义参数 (undefined parameter)', source: '{{ .params.unknown }}', outcome: 'error', reason: 'missingKey', mentions: '"unknown"' },
    { scenario: '空值参数 (empty parameter)', source: 'x={{ .params.empty }}', outcome: 'x=' },
    { scenario: '模板语法错误 (syntax error)', source: '{{ .params.', outcome: 'error', reason: 'syntax', mentions: 'unclosed action' },
    { scenario: '类型不匹配 (type mismatch is left to the action)', source: '{{ .params.replicas }}', outcome: 'three' },
  ];
  it.each(table)('$scenario', ({ source, outcome, reason, mentions }) => {
    if (outcome !== 'error') {
      expect(renderString(source, data)).toBe(outcome);
      return;
    }
    const error = failure(source);
    expect(error.code).toBe('VALIDATION');
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.reason).toBe(reason);
    expect(error.message).toContain(mentions);
    expect(error.hint.length).toBeGreaterThan(10);
  });
});

describe('error messages name the position and the key', () => {
  it('a missing key names the key, the path and its line:column', () => {
    const error = failure('url: http://x\nbody: {{ .params.cluster }}/{{ .params.region }}');
    expect(error.message).toBe('action:2:32: map has no entry for key "region" at <.params.region>');
    expect(error.position).toEqual({ line: 2, column: 32 });
    expect(error.key).toBe('params.region');
    expect(error.hint).toContain('--param region=VALUE');
  });

  it('a missing key in the $(params.x) form is the same error at the placeholder', () => {
    const error = failure('ns: $(params.namespace)');
    expect(error.reason).toBe('missingKey');
    expect(error.message).toContain('map has no entry for key "namespace"');
    expect(error.position).toEqual({ line: 1, column: 7 });
  });

  it('a missing output of an earlier action is an error too', () => {
    const error = failure('{{ .outputs.create-job.jobRef.name }}', { outputs: {} });
    expect(error.message).toContain('map has no entry for key "create-job"');
  });

  it('with missingKey "zero" a missing key reads as empty, like Helm without --strict', () => {
    expect(renderString('[{{ .Values.absent }}]', { Values: {} }, { missingKey: 'zero' })).toBe('[]');
    expect(renderString('{{ .Values.absent | default "d" }}', { Values: {} }, { missingKey: 'zero' })).toBe('d');
  });

  it('reading a field of nil says so, as Go does', () => {
    const error = failure('{{ .params.empty.x }}', { params: { empty: null } });
    expect(error.message).toContain('nil pointer evaluating interface {}.x');
  });

  it('reading a field of a string is refused', () => {
    expect(failure('{{ .params.cluster.name }}').message).toContain("can't evaluate field name in type string");
  });

  it('required fails with the author\'s message', () => {
    const error = failure('{{ required "targetCluster must be set" .params.empty }}');
    expect(error.reason).toBe('required');
    expect(error.message).toBe('action:1:4: targetCluster must be set');
    expect(failure('{{ required "need x" .params.missing }}').reason).toBe('missingKey');
  });

  const syntax: [string, string, string][] = [
    ['{{ .params.', '1:1', 'unclosed action'],
    ['ok\n  {{ if .params.x }}yes', '2:3', 'missing its {{end}}'],
    ['{{ end }}', '1:1', 'unexpected {{end}}'],
    ['{{ range .x }}a{{ else }}b{{ else }}c{{ end }}', '1:27', 'expected {{end}}; found {{else}}'],
    ['{{ nope .x }}', '1:4', 'function "nope" not defined'],
    ['{{ $x }}', '1:4', 'undefined variable "$x"'],
    ['{{ if }}{{ end }}', '1:7', 'missing value for if'],
    ['{{ "abc }}', '1:4', 'unterminated quoted string'],
    ["{{ eq .a 'Succeeded' }}", '1:10', 'malformed character constant'],
    ['{{/* never closed', '1:1', 'unclosed comment'],
    ['{{ .a ^ }}', '1:7', 'unrecognized character in action'],
    ['{{ .a | }}', '1:9', 'missing value for command'],
    ['{{ template .x }}', '1:13', 'must be a quoted string'],
    ['{{ break }}', '1:4', '{{break}} outside {{range}}'],
    ['{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}', '1:27', 'multiple definition of template "a"'],
  ];
  it.each(syntax)('syntax error %j is reported at %s', (source, at, detail) => {
    let caught: unknown;
    try {
      parseTemplate(source, 'action');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    const error = caught as TemplateError;
    expect(error.reason).toBe('syntax');
    expect(`${error.position.line}:${error.position.column}`).toBe(at);
    expect(error.message).toContain(detail);
    expect(error.message.startsWith(`action:${at}: `)).toBe(true);
  });

  const runtime: [string, string][] = [
    ['{{ .params.cluster 1 }}', "can't give argument to non-function .params.cluster"],
    ['{{ quote }}{{ indent 2 }}', 'wrong number of args for indent: want 2 got 1'],
    ['{{ eq .params.cluster 1 }}', 'incompatible types for comparison'],
    ['{{ lt .params.cluster 1 }}', 'incompatible types for comparison'],
    ['{{ len 3 }}', 'len of type int'],
    ['{{ index .params.cluster 1 }}', "can't index item of type string"],
    ['{{ template "nowhere" . }}', 'no such template "nowhere"'],
    ['{{ range true }}{{ end }}', "range can't iterate over true"],
    ['{{ define "loop" }}{{ include "loop" . }}{{ end }}{{ include "loop" . }}', 'nested too deeply'],
  ];
  it.each(runtime)('render error %j', (source, detail) => {
    const error = failure(source);
    expect(error.reason).toBe('execution');
    expect(error.message).toContain(detail);
  });

  it('an error inside an included template points into the file that defines it', async () => {
    const { render } = await import('../../../core/templates/index.js');
    const helpers = parseTemplate('{{ define "x.name" }}\n{{ .Values.nope }}{{ end }}', '_helpers.tpl');
    const main = parseTemplate('name: {{ include "x.name" . }}', 'deployment.yaml');
    expect(() => render(main, { Values: {} }, { partials: [helpers] })).toThrow('_helpers.tpl:2:4: map has no entry for key "nope"');
  });
});
