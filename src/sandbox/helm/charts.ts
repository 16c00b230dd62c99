/**
 * What the sandbox "renders" for a chart: the workloads a real chart would create, labelled the way Helm charts
 * label them (`app.kubernetes.io/instance=<release>`), so readiness waits and pod checks see them in the sandbox.
 * Values `sandbox.crashLoop: true` make the pods crash-loop (the sandbox controller's fail annotation).
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../../core/kube/types.js';
import { FAIL_ANNOTATION } from '../kube-api/pods.js';

type WorkloadKind = 'Deployment' | 'StatefulSet' | 'Job';

interface Component {
  kind: WorkloadKind;
  name: string;
  image: string;
}

/** The Primus-Lens charts by their short name (the part after `repo/`); anything else gets one Deployment. */
const CATALOG: Record<string, Component[]> = {
  operators: [
    { kind: 'Deployment', name: 'cnpg-controller-manager', image: 'ghcr.io/cloudnative-pg/cloudnative-pg:1.24.1' },
    { kind: 'Deployment', name: 'opensearch-operator-controller-manager', image: 'opensearchproject/opensearch-operator:2.7.0' },
  ],
  infrastructure: [
    { kind: 'StatefulSet', name: 'primus-lens-postgres', image: 'ghcr.io/cloudnative-pg/postgresql:16.4' },
    { kind: 'StatefulSet', name: 'primus-lens-opensearch', image: 'opensearchproject/opensearch:2.17.1' },
    { kind: 'StatefulSet', name: 'primus-lens-victoria-metrics', image: 'victoriametrics/victoria-metrics:v1.106.0' },
  ],
  init: [{ kind: 'Job', name: 'primus-lens-init', image: 'ghcr.io/amd-agi/primus-lens-init:latest' }],
  migration: [{ kind: 'Job', name: 'primus-lens-migration', image: 'ghcr.io/amd-agi/primus-lens-migration:latest' }],
  applications: [
    { kind: 'Deployment', name: 'primus-lens-api', image: 'ghcr.io/amd-agi/primus-lens-api:latest' },
    { kind: 'Deployment', name: 'primus-lens-console', image: 'ghcr.io/amd-agi/primus-lens-console:latest' },
    { kind: 'Deployment', name: 'primus-lens-telemetry-processor', image: 'ghcr.io/amd-agi/primus-lens-telemetry-processor:latest' },
  ],
};

export function chartName(chart: string): string {
  return chart.replace(/\/+$/, '').split('/').pop() || chart;
}

function sandboxValues(values: Record<string, unknown>): { crashLoop: boolean; replicas: number } {
  const section = values['sandbox'];
  const s = section && typeof section === 'object' ? (section as Record<string, unknown>) : {};
  return { crashLoop: s['crashLoop'] === true, replicas: typeof s['replicas'] === 'number' ? s['replicas'] : 1 };
}

export interface RenderInput {
  release: string;
  namespace: string;
  chart: string;
  chartVersion: string;
  values: Record<string, unknown>;
}

/** The objects the chart installs; a changed values checksum rolls the pods, like a real chart's annotation. */
export function renderChart(input: RenderInput): KubeObject[] {
  const name = chartName(input.chart);
  const components = CATALOG[name] ?? [{ kind: 'Deployment' as const, name: input.release, image: `example/${name}:${input.chartVersion}` }];
  const { crashLoop, replicas } = sandboxValues(input.values);
  const checksum = createHash('sha256').update(JSON.stringify(input.values)).digest('hex').slice(0, 16);
  return components.map((component) => {
    const labels = {
      'app.kubernetes.io/name': component.name,
      'app.kubernetes.io/instance': input.release,
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.sh/chart': `${name}-${input.chartVersion}`,
    };
    const selector = { 'app.kubernetes.io/name': component.name, 'app.kubernetes.io/instance': input.release };
    const annotations = {
      'meta.helm.sh/release-name': input.release,
      'meta.helm.sh/release-namespace': input.namespace,
      ...(crashLoop ? { [FAIL_ANNOTATION]: 'true' } : {}),
    };
    const podTemplate = {
      metadata: { labels: selector, annotations: { 'checksum/values': checksum } },
      spec: {
        ...(component.kind === 'Job' ? { restartPolicy: 'Never' } : {}),
        containers: [{ name: component.name.replace(/^primus-lens-/, ''), image: component.image }],
      },
    };
    const spec = component.kind === 'Job'
      ? { backoffLimit: 0, template: podTemplate }
      : { replicas, selector: { matchLabels: selector }, ...(component.kind === 'StatefulSet' ? { serviceName: component.name } : {}), template: podTemplate };
    return {
      apiVersion: component.kind === 'Job' ? 'batch/v1' : 'apps/v1', kind: component.kind,
      metadata: { name: component.name, namespace: input.namespace, labels, annotations },
      spec,
    };
  });
}
