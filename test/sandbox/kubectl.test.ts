/** Fidelity: the real kubectl, with a generated kubeconfig, against a sandbox cluster. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderWhoamiManifests } from '../../core/gitops/manifests.js';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../src/sandbox/kube-api/index.js';
import { record } from '../core/providers/records.js';

let cluster: SandboxCluster;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetdeck-kubectl-'));
  cluster = await startSandboxCluster({ name: 'kubectl', controller: { jobDelayMs: 300, podStartMs: 100 } });
  await writeFile(join(dir, 'kubeconfig'), kubeconfigFor([{ context: 'kind-fidelity', url: cluster.url }]));
});

afterAll(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  return kubectlWith(join(dir, 'kubeconfig'), ...args);
}

function kubectlWith(kubeconfig: string, ...args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  return execa('kubectl', args, {
    reject: false,
    timeout: 60_000,
    env: { KUBECONFIG: kubeconfig, HOME: dir },
    extendEnv: false,
  }).then((r) => ({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }));
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const manifest = (image: string, replicas: number, data: string): string => `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  labels: {app: web}
data:
  mode: "${data}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 8080
      - name: sidecar
        image: busybox
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  namespace: shop
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: busybox
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - name: http
    port: 80
`;

describe('kubectl against a sandbox cluster', () => {
  it('reads the built-in namespaces with get -o json', async () => {
    const r = await kubectl('get', 'namespaces', '-o', 'json');
    expect(r.exitCode).toBe(0);
    const list = JSON.parse(r.stdout) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((i) => i.metadata.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));
  });

  it('applies a multi-document file, then applies a changed one as an update', async () => {
    const first = await kubectl('apply', '-f', await file('v1.yaml', manifest('nginx:1.25', 2, 'a')));
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('namespace/shop created');
    expect(first.stdout).toContain('deployment.apps/web created');
    expect(first.stdout).toContain('job.batch/migrate created');
    expect(first.stdout).toContain('service/web created');

    const second = await kubectl('apply', '-f', await file('v2.yaml', manifest('nginx:1.27', 3, 'b')));
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('deployment.apps/web configured');
    expect(second.stdout).toContain('configmap/settings configured');
    expect(second.stdout).toContain('service/web unchanged');

    const deployment = JSON.parse((await kubectl('get', 'deployment', 'web', '-n', 'shop', '-o', 'json')).stdout) as {
      metadata: { generation: number };
      spec: { replicas: number; template: { spec: { containers: { name: string; image: string; ports?: unknown[] }[] } } };
    };
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.metadata.generation).toBe(2);
    const [web, sidecar] = deployment.spec.template.spec.containers;
    expect(web).toMatchObject({ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] });
    expect(sidecar).toMatchObject({ name: 'sidecar', image: 'busybox' });
  });

  it('waits for a Job to complete and a Deployment to become available', async () => {
    const job = await kubectl('wait', '--for=condition=complete', 'job/migrate', '-n', 'shop', '--timeout=30s');
    expect(job.stdout).toContain('job.batch/migrate condition met');
    expect(job.exitCode).toBe(0);
    const deploy = await kubectl('wait', '--for=condition=available', 'deployment/web', '-n', 'shop', '--timeout=30s');
    expect(deploy.exitCode).toBe(0);
  });

  it('selects by label and prints tables with the usual columns', async () => {
    const pods = await kubectl('get', 'pods', '-n', 'shop', '-l', 'app=web', '-o', 'name');
    expect(pods.stdout.trim().split('\n')).toHaveLength(3);
    const jobPods = await kubectl('get', 'pods', '-n', 'shop', '-l', 'job-name=migrate', '-o', 'name');
    expect(jobPods.stdout.trim().split('\n')).toHaveLength(1);
    const none = await kubectl('get', 'pods', '-n', 'shop', '-l', 'app notin (web),!job-name');
    expect(none.stderr).toContain('No resources found');
    const table = await kubectl('get', 'pods', '-n', 'shop');
    expect(table.stdout).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(table.stdout).toMatch(/web-\S+\s+2\/2\s+Running/);
    expect(table.stdout).toMatch(/migrate-\S+\s+0\/1\s+Completed/);
    const jobs = await kubectl('get', 'jobs', '-n', 'shop');
    expect(jobs.stdout).toMatch(/migrate\s+Complete\s+1\/1/);
    const logs = await kubectl('logs', 'job/migrate', '-n', 'shop');
    expect(logs.stdout).toContain('completed successfully');
  });

  it('waits for a Job marked to fail to report Failed', async () => {
    const path = await file('failing.yaml', `
apiVersion: batch/v1
kind: Job
metadata:
  name: broken
  namespace: shop
  annotations: {sandbox.fleetdeck.io/fail: "true"}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: x, image: busybox}]
`);
    expect((await kubectl('apply', '-f', path)).exitCode).toBe(0);
    const failed = await kubectl('wait', '--for=condition=failed', 'job/broken', '-n', 'shop', '--timeout=30s');
    expect(failed.exitCode).toBe(0);
    const complete = await kubectl('wait', '--for=condition=complete', 'job/broken', '-n', 'shop', '--timeout=1s');
    expect(complete.exitCode).not.toBe(0);
  });

  it('serves a custom resource after its CRD is applied, and deletes it', async () => {
    const crd = await file('crd.yaml', `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.fleetdeck.io
spec:
  group: example.fleetdeck.io
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`);
    expect((await kubectl('apply', '-f', crd)).exitCode).toBe(0);
    expect((await kubectl('wait', '--for=condition=established', 'crd/widgets.example.fleetdeck.io', '--timeout=30s')).exitCode).toBe(0);
    const cr = await file('cr.yaml', `
apiVersion: example.fleetdeck.io/v1
kind: Widget
metadata: {name: gizmo, namespace: shop, labels: {tier: gold}}
spec: {size: 3}
`);
    expect((await kubectl('apply', '-f', cr)).stdout).toContain('widget.example.fleetdeck.io/gizmo created');
    const got = JSON.parse((await kubectl('get', 'wd', 'gizmo', '-n', 'shop', '-o', 'json')).stdout) as { spec: { size: number } };
    expect(got.spec.size).toBe(3);
    const ssa = await kubectl('apply', '--server-side', '-f', await file('cr2.yaml', 'apiVersion: example.fleetdeck.io/v1\nkind: Widget\nmetadata: {name: gizmo, namespace: shop}\nspec: {size: 5}\n'));
    expect(ssa.stdout).toContain('serverside-applied');
    expect((await kubectl('get', 'widgets', '-A', '-l', 'tier in (gold,silver)', '-o', 'jsonpath={.items[0].spec.size}')).stdout).toBe('5');
    const deleted = await kubectl('delete', '-f', cr);
    expect(deleted.stdout).toContain('widget.example.fleetdeck.io "gizmo" deleted');
    const after = await kubectl('get', 'widget', 'gizmo', '-n', 'shop');
    expect(after.exitCode).toBe(1);
    expect(after.stderr).toContain('Error from server (NotFound): widgets.example.fleetdeck.io "gizmo" not found');
  });

  it('follows changes with get -w', async () => {
    const watcher = execa('kubectl', ['get', 'configmaps', '-n', 'shop', '-w', '-o', 'name'], { env: { KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir }, extendEnv: false, reject: false });
    let output = '';
    watcher.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (!output.includes('configmap/settings') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    cluster.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late-arrival', namespace: 'shop' }, data: {} });
    while (!output.includes('configmap/late-arrival') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    watcher.kill();
    await watcher;
    expect(output).toContain('configmap/late-arrival');
  });

  it('deletes a namespace with everything in it', async () => {
    const r = await kubectl('delete', 'namespace', 'shop', '--timeout=30s');
    expect(r.stdout).toContain('namespace "shop" deleted');
    expect((await kubectl('get', 'pods', '-A', '-o', 'name')).stdout.trim()).toBe('');
  });
});

describe('kubectl against a sandbox cluster: the rest of what a fleet uses', () => {
  it("applies a cluster branch's deploy/ directory: Deployment, Service and Ingress", async () => {
    const branch = join(dir, 'branch');
    const deploy = join(branch, 'deploy');
    await mkdir(deploy, { recursive: true });
    for (const [path, text] of renderWhoamiManifests(record('dev', 'kind'), { domain: 'sandbox.local' })) await writeFile(join(branch, path), text);
    const applied = await kubectl('apply', '-f', deploy);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('deployment.apps/whoami created');
    expect(applied.stdout).toContain('service/whoami created');
    expect(applied.stdout).toContain('ingress.networking.k8s.io/whoami created');
    expect((await kubectl('wait', '--for=condition=available', 'deployment/whoami', '-n', 'whoami', '--timeout=30s')).exitCode).toBe(0);
    const ingresses = await kubectl('get', 'ingress', '-n', 'whoami');
    expect(ingresses.stdout).toMatch(/NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE/);
    expect(ingresses.stdout).toMatch(/whoami\s+\S+\s+dev\.sandbox\.local\s/);
    const again = await kubectl('apply', '-f', deploy);
    expect(again.stdout).toContain('ingress.networking.k8s.io/whoami unchanged');
  });

  it('serves ingress classes, one Ready node, and a default ServiceAccount in every namespace', async () => {
    const ingressClass = await file('ingressclass.yaml', 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: traefik}\nspec: {controller: traefik.io/ingress-controller}\n');
    expect((await kubectl('apply', '-f', ingressClass)).stdout).toContain('ingressclass.networking.k8s.io/traefik created');
    expect((await kubectl('get', 'ingressclass')).stdout).toMatch(/traefik\s+traefik\.io\/ingress-controller/);
    const nodes = await kubectl('get', 'nodes');
    expect(nodes.stdout).toMatch(/NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(nodes.stdout.trim().split('\n')).toHaveLength(2);
    expect(nodes.stdout).toMatch(/kubectl-control-plane\s+Ready\s+control-plane/);
    expect((await kubectl('wait', '--for=condition=Ready', 'node/kubectl-control-plane', '--timeout=5s')).exitCode).toBe(0);
    const pod = JSON.parse((await kubectl('get', 'pods', '-n', 'whoami', '-o', 'json')).stdout) as { items: { spec: { nodeName: string } }[] };
    expect(pod.items[0]?.spec.nodeName).toBe('kubectl-control-plane');
    expect((await kubectl('get', 'serviceaccount', 'default', '-n', 'whoami', '-o', 'name')).stdout).toBe('serviceaccount/default');
  });

  it('binds a PersistentVolumeClaim to a volume made for it, and deletes the volume with the claim', async () => {
    const claim = await file('pvc.yaml', `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: whoami}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: local-path
  resources: {requests: {storage: 2Gi}}
`);
    expect((await kubectl('apply', '-f', claim)).stdout).toContain('persistentvolumeclaim/data created');
    const bound = await kubectl('wait', '--for=jsonpath={.status.phase}=Bound', 'pvc/data', '-n', 'whoami', '--timeout=10s');
    expect(bound.exitCode, bound.stderr).toBe(0);
    const pvc = JSON.parse((await kubectl('get', 'pvc', 'data', '-n', 'whoami', '-o', 'json')).stdout) as { spec: { volumeName: string }; status: { capacity: { storage: string } } };
    expect(pvc.status.capacity.storage).toBe('2Gi');
    const volumes = await kubectl('get', 'pv');
    expect(volumes.stdout).toMatch(new RegExp(`${pvc.spec.volumeName}\\s+2Gi\\s+RWO\\s+Delete\\s+Bound\\s+whoami/data\\s+local-path`));
    expect((await kubectl('get', 'pvc', '-n', 'whoami')).stdout).toMatch(/data\s+Bound\s+pvc-\S+\s+2Gi\s+RWO\s+local-path/);
    expect((await kubectl('delete', 'pvc', 'data', '-n', 'whoami')).exitCode).toBe(0);
    const deadline = Date.now() + 10_000;
    let left = '';
    do {
      left = (await kubectl('get', 'pv', '-o', 'name')).stdout.trim();
    } while (left !== '' && Date.now() < deadline);
    expect(left).toBe('');
  });

  it('creates ConfigMaps, Secrets, Namespaces and ServiceAccounts from the create generators (sent as protobuf)', async () => {
    const ns = await kubectl('create', 'namespace', 'generated');
    expect(ns.exitCode, ns.stderr).toBe(0);
    expect(ns.stdout).toBe('namespace/generated created');
    const cert = await file('tls.crt', 'not-really-a-cert\n');
    const cm = await kubectl('-n', 'generated', 'create', 'configmap', 'settings', '--from-literal=mode=active', '--from-literal=empty=', `--from-file=${cert}`);
    expect(cm.exitCode, cm.stderr).toBe(0);
    const secret = await kubectl('-n', 'generated', 'create', 'secret', 'generic', 'creds', '--from-literal=password=s3cr3t', '--type=example.com/basic');
    expect(secret.exitCode, secret.stderr).toBe(0);
    const sa = await kubectl('-n', 'generated', 'create', 'serviceaccount', 'robot');
    expect(sa.exitCode, sa.stderr).toBe(0);
    await kubectl('-n', 'generated', 'label', 'configmap', 'settings', 'tier=gold');

    const read = JSON.parse((await kubectl('-n', 'generated', 'get', 'configmap', 'settings', '-o', 'json')).stdout) as { data: Record<string, string>; metadata: { labels: Record<string, string> } };
    expect(read.data).toEqual({ mode: 'active', empty: '', 'tls.crt': 'not-really-a-cert\n' });
    expect(read.metadata.labels).toEqual({ tier: 'gold' });
    const stored = JSON.parse((await kubectl('-n', 'generated', 'get', 'secret', 'creds', '-o', 'json')).stdout) as { type: string; data: Record<string, string> };
    expect(stored.type).toBe('example.com/basic');
    expect(Buffer.from(stored.data.password!, 'base64').toString('utf8')).toBe('s3cr3t');
    expect((await kubectl('-n', 'generated', 'get', 'serviceaccount', 'robot', '-o', 'name')).stdout).toBe('serviceaccount/robot');

    // A generator whose kind the sandbox does not decode is refused clearly, and nothing is created.
    const deploy = await kubectl('-n', 'generated', 'create', 'deployment', 'web', '--image=nginx');
    expect(deploy.exitCode).not.toBe(0);
    expect(deploy.stderr).toContain('send Deployment as application/json or application/yaml (e.g. with `kubectl apply -f`)');
    expect((await kubectl('-n', 'generated', 'get', 'deployments', '-o', 'name')).stdout).toBe('');
  });

  it('answers an unknown kind the way kube-apiserver does, so kubectl says there are no matches for it', async () => {
    const gadget = await file('gadget.yaml', 'apiVersion: example.fleetdeck.io/v1\nkind: Gadget\nmetadata: {name: g, namespace: default}\nspec: {}\n');
    const applied = await kubectl('apply', '-f', gadget);
    expect(applied.exitCode).toBe(1);
    expect(applied.stderr).toContain('no matches for kind "Gadget" in version "example.fleetdeck.io/v1"');
    const listed = await kubectl('get', 'gadgets');
    expect(listed.stderr).toContain('the server doesn\'t have a resource type "gadgets"');
  });

  it('refuses a delete whose uid or resourceVersion precondition does not hold, with 409', async () => {
    expect((await kubectl('apply', '-f', await file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: guarded, namespace: default}\ndata: {a: b}\n'))).exitCode).toBe(0);
    const uri = '/api/v1/namespaces/default/configmaps/guarded';
    const wrongUid = await kubectl('delete', '--raw', uri, '-f', await file('uid.json', JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-its-uid' } })));
    expect(wrongUid.exitCode).toBe(1);
    expect(wrongUid.stderr).toContain('Error from server (Conflict): Operation cannot be fulfilled on configmaps "guarded": Precondition failed: UID in precondition: not-its-uid');
    const staleRv = await kubectl('delete', '--raw', uri, '-f', await file('rv.json', JSON.stringify({ preconditions: { resourceVersion: '1' } })));
    expect(staleRv.stderr).toContain('Precondition failed: ResourceVersion in precondition: 1');
    expect((await kubectl('get', 'configmap', 'guarded', '-n', 'default', '-o', 'name')).stdout).toBe('configmap/guarded');
    const meta = JSON.parse((await kubectl('get', 'configmap', 'guarded', '-n', 'default', '-o', 'json')).stdout) as { metadata: { uid: string; resourceVersion: string } };
    const matching = await kubectl('delete', '--raw', uri, '-f', await file('ok.json', JSON.stringify({ preconditions: { uid: meta.metadata.uid, resourceVersion: meta.metadata.resourceVersion } })));
    expect(matching.exitCode).toBe(0);
    expect((await kubectl('get', 'configmap', 'guarded', '-n', 'default')).stderr).toContain('not found');
  });

  it('rejects field selectors on fields a kind cannot be selected by, with 400', async () => {
    const running = await kubectl('get', 'pods', '-n', 'whoami', '--field-selector', 'status.phase=Running,spec.nodeName=kubectl-control-plane', '-o', 'name');
    expect(running.exitCode).toBe(0);
    expect(running.stdout).toMatch(/^pod\/whoami-/);
    const pods = await kubectl('get', 'pods', '--field-selector', 'status.hostIP=10.0.0.1');
    expect(pods.exitCode).toBe(1);
    expect(pods.stderr).toContain('Error from server (BadRequest)');
    expect(pods.stderr).toContain('field label not supported: status.hostIP');
    const deployments = await kubectl('get', 'deployments', '-A', '--field-selector', 'spec.replicas=1');
    expect(deployments.stderr).toContain('"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
    expect((await kubectl('get', 'deployments', '-A', '--field-selector', 'metadata.namespace=whoami', '-o', 'name')).stdout).toBe('deployment.apps/whoami');
    expect((await kubectl('get', 'secrets', '-A', '--field-selector', 'type=kubernetes.io/tls')).exitCode).toBe(0);
  });

  it("keeps the built-in namespaces' uid and creationTimestamp across restarts of a cluster nobody wrote to", async () => {
    const stateDir = join(dir, 'state');
    const first = await startSandboxCluster({ name: 'quiet', stateDir, controller: false });
    const config = join(dir, 'quiet-kubeconfig');
    await writeFile(config, kubeconfigFor([{ context: 'kind-quiet', url: first.url }]));
    const identity = async (): Promise<string> =>
      (await kubectlWith(config, 'get', 'namespace/default', 'namespace/kube-system', 'node/quiet-control-plane', '-o', 'jsonpath={range .items[*]}{.metadata.uid} {.metadata.creationTimestamp}{"\\n"}{end}')).stdout;
    const before = await identity();
    expect(before.trim().split('\n')).toHaveLength(3);
    await first.stop();
    await new Promise((r) => setTimeout(r, 1100)); // a new creationTimestamp would differ by at least a second
    const second = await startSandboxCluster({ name: 'quiet', stateDir, port: first.port, controller: false });
    try {
      expect(await identity()).toBe(before);
    } finally {
      await second.stop();
    }
  });
});
