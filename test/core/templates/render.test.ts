/** Golden cases: what a plan or chart author writes, and exactly what Go's text/template (with Sprig) would print. */
import { describe, expect, it } from 'vitest';
import { parseTemplate, render, renderString } from '../../../core/templates/index.js';

const data = {
  planName: 'failover-sh',
  params: {
    cluster: 'dr-cluster-01',
    empty: '',
    replicas: 3,
    enabled: true,
    zero: 0,
    regions: ['sh', 'gz'],
    labels: { tier: 'web', app: 'nginx' },
    nothing: null,
    none: [],
    message: 'say "hi"\n',
  },
  outputs: { 'create-localization': { phase: 'Succeeded', localizationRef: { name: 'loc-1', namespace: 'ns' } } },
};

const golden: [string, string][] = [
  ['plain text', 'plain text'],
  ['{{ .params.cluster }}', 'dr-cluster-01'],
  ['{{ .planName }}', 'failover-sh'],
  ['app-{{ .planName }}-{{ .params.cluster }}', 'app-failover-sh-dr-cluster-01'],
  ['[{{ .params.empty }}]', '[]'],
  ['[{{ .params.nothing }}]', '[]'],
  ['{{ .params.replicas }} {{ .params.enabled }} {{ .params.zero }}', '3 true 0'],
  ['{{ .params.labels.app }}', 'nginx'],
  ['{{ .params.labels }}', 'map[app:nginx tier:web]'],
  ['{{ .params.regions }}', '[sh gz]'],
  ['{{ .outputs.create-localization.phase }}', 'Succeeded'],
  ['{{ index .outputs "create-localization" "localizationRef" "name" }}', 'loc-1'],
  ['$(params.cluster)/$(planName)', 'dr-cluster-01/failover-sh'],
  ['$(outputs.create-localization.phase)', 'Succeeded'],
  ['echo $(date) $HOME', 'echo $(date) $HOME'],
  ['{{ .params.empty | default "fallback" }}', 'fallback'],
  ['{{ .params.zero | default 5 }}', '5'],
  ['{{ .params.cluster | default "fallback" }}', 'dr-cluster-01'],
  ['{{ .params.cluster | quote }}', '"dr-cluster-01"'],
  ['{{ .params.message | quote }}', '"say \\"hi\\"\\n"'],
  ['{{ .params.replicas | quote }}', '"3"'],
  ['{{ .params.empty | default "a" | quote }}', '"a"'],
  ['{{ .params.cluster | squote }}', "'dr-cluster-01'"],
  ['{{ .params.cluster | upper }} {{ "ABC" | lower }} {{ "  x  " | trim }}', 'DR-CLUSTER-01 abc x'],
  ['{{ .params.labels | toJson }}', '{"app":"nginx","tier":"web"}'],
  ['{{ toJson "<a&b>" }}', '"\\u003ca\\u0026b\\u003e"'],
  ['{{ .params.labels | toYaml }}', 'app: nginx\ntier: web'],
  ['labels:{{ .params.labels | toYaml | nindent 2 }}', 'labels:\n  app: nginx\n  tier: web'],
  ['{{ "a\\nb" | indent 4 }}', '    a\n    b'],
  ['{{ printf "%s-%d" .params.cluster .params.replicas }}', 'dr-cluster-01-3'],
  ['{{ printf "%05d|%-4s|%.2f|%q|%v|%t" 42 "ab" 3.14159 "x" .params.regions true }}', '00042|ab  |3.14|"x"|[sh gz]|true'],
  ['{{ printf "%d" }}', '%!d(MISSING)'],
  ['{{ b64enc "admin" }}', 'YWRtaW4='],
  ['{{ len .params.regions }} {{ len .params.cluster }} {{ len .params.labels }}', '2 13 2'],
  ['{{ list 1 "a" | toJson }} {{ dict "k" "v" "n" 1 | toJson }}', '[1,"a"] {"k":"v","n":1}'],
  ['{{ if .params.enabled }}on{{ else }}off{{ end }}', 'on'],
  ['{{ if .params.empty }}on{{ else }}off{{ end }}', 'off'],
  ['{{ if eq .params.replicas 1 }}one{{ else if eq .params.replicas 3 }}three{{ else }}many{{ end }}', 'three'],
  ['{{ if and .params.enabled (gt .params.replicas 2) }}big{{ end }}', 'big'],
  ['{{ if or .params.empty .params.zero }}yes{{ else }}no{{ end }}', 'no'],
  ['{{ if not .params.empty }}empty{{ end }}', 'empty'],
  ['{{ if ne .params.cluster "x" }}ne{{ end }}{{ if lt 1 2 }}lt{{ end }}{{ if ge 2 2 }}ge{{ end }}{{ if le 3 2 }}le{{ end }}', 'neltge'],
  ['{{ eq .params.cluster "a" "dr-cluster-01" }}', 'true'],
  ['{{ range .params.regions }}<{{ . }}>{{ end }}', '<sh><gz>'],
  ['{{ range $i, $r := .params.regions }}{{ $i }}:{{ $r }} {{ end }}', '0:sh 1:gz '],
  ['{{ range $k, $v := .params.labels }}{{ $k }}={{ $v }};{{ end }}', 'app=nginx;tier=web;'],
  ['{{ range .params.none }}x{{ else }}none{{ end }}', 'none'],
  ['{{ range .params.nothing }}x{{ else }}none{{ end }}', 'none'],
  ['{{ range $r := .params.regions }}{{ if eq $r "gz" }}{{ break }}{{ end }}{{ $r }}{{ end }}', 'sh'],
  ['{{ range .params.regions }}{{ if eq . "sh" }}{{ continue }}{{ end }}{{ . }}{{ end }}', 'gz'],
  ['{{ range .params.regions }}{{ $.planName }}/{{ . }} {{ end }}', 'failover-sh/sh failover-sh/gz '],
  ['{{ with .params.labels }}{{ .tier }}{{ end }}', 'web'],
  ['{{ with .params.empty }}x{{ else }}no{{ end }}', 'no'],
  ['{{ with $l := .params.labels }}{{ $l.app }}{{ end }}', 'nginx'],
  ['{{ $c := .params.cluster }}{{ $c }}', 'dr-cluster-01'],
  ['{{ $n := 1 }}{{ if true }}{{ $n = 2 }}{{ end }}{{ $n }}', '2'],
  ['{{ (.params.labels).tier }}', 'web'],
  ['{{ .params.replicas | printf "%d replicas" }}', '3 replicas'],
  ['a {{- " b " -}} c', 'a b c'],
  ['a\n  {{- /* a comment */}}\nb', 'a\nb'],
  ['a {{- /* trimmed both */ -}}\n  b', 'ab'],
  ['{{ "tab\\there" }}', 'tab\there'],
  ['{{ `raw\\n` }}', 'raw\\n'],
  ['{{ 0x10 }} {{ -2 }} {{ 1.5 }} {{ 1e3 }}', '16 -2 1.5 1000'],
  ['{{ print "a" 1 2 "b" }}', 'a1 2b'],
  ['{{ required "cluster is required" .params.cluster }}', 'dr-cluster-01'],
  ['{{ ternary "yes" "no" .params.enabled }}', 'yes'],
  ['{{ "my-release-name-is-long" | trunc 10 | trimSuffix "-" }}', 'my-release'],
  ['{{ coalesce .params.empty .params.nothing "c" }}', 'c'],
  ['{{ hasKey .params "cluster" }} {{ .params.regions | join "," }}', 'true sh,gz'],
];

describe('template golden cases', () => {
  it.each(golden)('%s', (source, expected) => {
    expect(renderString(source, data)).toBe(expected);
  });

  it('parses once and renders many times with different data', () => {
    const template = parseTemplate('{{ .params.cluster }}:{{ .params.replicas }}', 'scale');
    expect(render(template, { params: { cluster: 'a', replicas: 1 } })).toBe('a:1');
    expect(render(template, { params: { cluster: 'b', replicas: 2 } })).toBe('b:2');
  });

  it('keeps a type mismatch as text: the action validates the value, not the engine (seed 004 error table)', () => {
    expect(renderString('replicas: {{ .params.replicas }}', { params: { replicas: 'three' } })).toBe('replicas: three');
  });

  it('renders named templates with define/include/template and block defaults', () => {
    const src = '{{ define "greet" }}hello {{ . }}{{ end }}{{ include "greet" .planName | upper }}|{{ template "greet" "x" }}|{{ block "footer" . }}default footer{{ end }}';
    expect(renderString(src, data)).toBe('HELLO FAILOVER-SH|hello x|default footer');
  });
});
