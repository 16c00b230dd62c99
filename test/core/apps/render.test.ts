/** Rendering groups with the Redis plugin: golden manifests, creation order, and errors that name the field. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  creationPlan, findNamed, manifestsToYaml, parsePlugin, pluginFor, readYamlApps, renderGroup,
} from '../../../core/apps/index.js';
import { ValidationError } from '../../../core/errors.js';
import { REDIS_PLUGIN_DATA, redisPluginConfigMap } from '../../../src/sandbox/apps/redis-plugin.js';

const here = join(process.cwd(), 'test/core/apps');
const fixture = (name: string): string => readFileSync(join(here, 'fixtures', name), 'utf8');
const pluginYaml = `---\n${stringify(redisPluginConfigMap('middleware'))}`;

/** Compares with test/core/apps/golden/NAME; UPDATE_GOLDEN=1 rewrites the file instead. */
function expectGolden(name: string, actual: string): void {
  const path = join(here, 'golden', name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  if (!existsSync(path)) throw new Error(`golden file ${name} is missing; run with UPDATE_GOLDEN=1 to write it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

function caught(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('rendering a group with its plugin', () => {
  it('renders the cache group into ConfigMap, PVCs, Service and one Deployment per instance (golden)', () => {
    const snapshot = readYamlApps(`${fixture('cache-app.yaml')}\n${pluginYaml}`, 'cache-app.yaml');
    const group = findNamed(snapshot.groups, 'cache-redis', 'group');
    const rendered = renderGroup(group, pluginFor(snapshot, group));
    expect(rendered.objects.map((o) => `${o.kind}/${o.metadata.name ?? ''}`)).toEqual([
      'ConfigMap/cache-redis-config', 'PersistentVolumeClaim/cache-redis-0-data', 'PersistentVolumeClaim/cache-redis-1-data',
      'Service/cache-redis', 'Deployment/cache-redis-0', 'Deployment/cache-redis-1',
    ]);
    expect(rendered.configText).toBe('\nappendonly yes\nmaxmemory 256mb\nmaxmemory-policy allkeys-lru\n'.slice(1));
    expectGolden('cache-redis.yaml', manifestsToYaml(rendered.objects));
    // toJson hands the control agent the plugin's start-up keys as one JSON value.
    const deployment = rendered.objects.find((o) => o.kind === 'Deployment');
    const env = (deployment?.['spec'] as { template: { spec: { containers: { name: string; env?: { name: string; value: string }[] }[] } } })
      .template.spec.containers.find((c) => c.name === 'agent-control')?.env?.find((e) => e.name === 'MIDDLEWARE_RESTART_KEYS')?.value;
    expect(JSON.parse(env ?? 'null')).toEqual(rendered.plugin.values['restartKeys']);
    expect(rendered.configMap?.metadata.annotations?.['middleware.io/rendered-hash']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('renders a group without persistent storage with emptyDir volumes and no PVC (golden)', () => {
    const snapshot = readYamlApps(`${fixture('ephemeral-group.yaml')}\n${pluginYaml}`);
    const group = findNamed(snapshot.groups, 'jobs/queue-redis', 'group');
    const rendered = renderGroup(group, pluginFor(snapshot, group));
    expect(rendered.objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    expectGolden('queue-redis.yaml', manifestsToYaml(rendered.objects));
  });

  it('plans an App in the seed\'s creation order: App, Component, Group, then the rendered resources', () => {
    const snapshot = readYamlApps(`${fixture('cache-app.yaml')}\n${pluginYaml}`);
    const plan = creationPlan(snapshot.apps[0]!, snapshot.plugins);
    expect(plan.map((o) => o.kind)).toEqual(['App', 'Component', 'Group', 'ConfigMap', 'PersistentVolumeClaim',
      'PersistentVolumeClaim', 'Service', 'Deployment', 'Deployment']);
    expect(plan[1]?.metadata.name).toBe('cache-redis');
  });

  it('refuses a plugin whose _helpers.tpl lacks middleware.selectorLabels, naming the key', () => {
    const helpers = (REDIS_PLUGIN_DATA['_helpers.tpl'] ?? '').replace('middleware.selectorLabels', 'middleware.other');
    const error = caught(() => parsePlugin(redisPluginConfigMap('middleware', { ...REDIS_PLUGIN_DATA, '_helpers.tpl': helpers })));
    expect(error.message).toContain('data["_helpers.tpl"] does not define "middleware.selectorLabels"');
  });

  it('names the field of an invalid group', () => {
    const bad = fixture('cache-app.yaml').replace('instances: 2', 'instances: 0');
    expect(caught(() => readYamlApps(bad)).message).toBe(
      'App middleware/cache: spec.components[0].groups[0].instances must be a whole number of at least 1, got 0');
    const stuck = fixture('cache-app.yaml').replace('maxUnavailable: 1', 'maxUnavailable: 0');
    expect(caught(() => readYamlApps(stuck)).field).toBe('spec.components[0].groups[0].upgradeStrategy.maxUnavailable');
  });

  it('reports a template error with the template name and position', () => {
    const broken = { ...REDIS_PLUGIN_DATA, 'service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Group.name | nosuchfn }}\n' };
    expect(() => parsePlugin(redisPluginConfigMap('middleware', broken))).toThrow(/service\.yaml:4/);
  });
});
