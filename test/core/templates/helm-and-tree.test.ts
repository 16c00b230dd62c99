/** Plugin templates in the Helm style (seed 003), and rendering every string of an object tree. */
import { describe, expect, it } from 'vitest';
import { compileTree, parseTemplate, render, renderTree, TemplateError } from '../../../core/templates/index.js';

const helpers = parseTemplate(
  `{{/* Common labels */}}
{{- define "middleware.labels" -}}
app.kubernetes.io/name: {{ .Group.name }}
app.kubernetes.io/managed-by: fleetdeck
{{ include "middleware.selectorLabels" . }}
{{- end }}

{{- define "middleware.selectorLabels" -}}
middleware.io/group: {{ .Group.name | trunc 63 | trimSuffix "-" }}
{{- end }}`,
  '_helpers.tpl',
);

const deployment = parseTemplate(
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Group.name }}
  labels:
    {{- include "middleware.labels" . | nindent 4 }}
spec:
  replicas: {{ .Group.replicas | default 1 }}
  selector:
    matchLabels:
      {{- include "middleware.selectorLabels" . | nindent 6 }}
  template:
    spec:
      containers:
        - name: redis
          image: {{ printf "%s:%s" .Plugin.image (.Group.version | default "7.2") | quote }}
          {{- with .Group.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
`,
  'deployment.yaml',
);

describe('Helm-style plugin templates', () => {
  it('renders a Deployment with named templates from a helpers file', () => {
    const out = render(
      deployment,
      { Group: { name: 'cache-0', replicas: 2, resources: { limits: { memory: '1Gi', cpu: '500m' } } }, Plugin: { image: 'redis' } },
      { partials: [helpers], missingKey: 'zero' },
    );
    expect(out).toBe(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache-0
  labels:
    app.kubernetes.io/name: cache-0
    app.kubernetes.io/managed-by: fleetdeck
    middleware.io/group: cache-0
spec:
  replicas: 2
  selector:
    matchLabels:
      middleware.io/group: cache-0
  template:
    spec:
      containers:
        - name: redis
          image: "redis:7.2"
          resources:
            limits:
              cpu: 500m
              memory: 1Gi
`);
  });

  it('leaves out an optional block and falls back to defaults', () => {
    const out = render(deployment, { Group: { name: 'c' }, Plugin: { image: 'redis' } }, { partials: [helpers], missingKey: 'zero' });
    expect(out).toContain('replicas: 1\n');
    expect(out).not.toContain('resources:');
  });
});

describe('rendering an object tree', () => {
  const action = {
    name: 'notify',
    type: 'HTTP',
    http: { url: '{{ .params.endpoint }}/health', method: 'POST', headers: { 'X-Plan': '$(planName)' }, successCodes: [200, 204], body: '{"cluster": {{ .params.cluster | quote }}}' },
    timeout: '10s',
  };

  it('renders strings, keeps numbers and keys, and does not mutate the input', () => {
    const out = renderTree(action, { planName: 'p1', params: { endpoint: 'http://svc', cluster: 'dr' } });
    expect(out).toEqual({ ...action, http: { ...action.http, url: 'http://svc/health', headers: { 'X-Plan': 'p1' }, body: '{"cluster": "dr"}' } });
    expect(action.http.url).toBe('{{ .params.endpoint }}/health');
  });

  it('names the field path in errors', () => {
    let caught: unknown;
    try {
      renderTree(action, { planName: 'p1', params: { endpoint: 'x' } }, { basePath: 'spec.actions[0]' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).message).toBe('spec.actions[0].http.body:1:16: map has no entry for key "cluster" at <.params.cluster>');
    expect((caught as TemplateError).field).toBe('spec.actions[0].http.body');
  });

  it('compiles once and renders with different data', () => {
    const compiled = compileTree({ a: ['{{ .n }}', 'x'] });
    expect(compiled.render({ n: 1 })).toEqual({ a: ['1', 'x'] });
    expect(compiled.render({ n: 2 })).toEqual({ a: ['2', 'x'] });
  });

  it('reports a syntax error in a tree at compile time with its path', () => {
    expect(() => compileTree({ spec: { manifest: 'name: {{ .params.x' } })).toThrow(/^spec\.manifest:1:7: unclosed action/);
  });
});
