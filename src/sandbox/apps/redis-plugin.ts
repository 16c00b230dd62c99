/**
 * The sandbox's middleware plugin: a Redis-like primary/replica server, rendered as one Deployment per instance
 * (each pod: the middleware plus Agent 1 on :50051 and Agent 2 on :50052), a Service, a ConfigMap and a PVC each.
 */
import type { KubeObject } from '../../../core/kube/types.js';

const HELPERS = `{{- define "middleware.labels" -}}
app.kubernetes.io/name: {{ .Plugin.type }}
app.kubernetes.io/instance: {{ .Group.name }}
app.kubernetes.io/version: {{ .Group.version | quote }}
app.kubernetes.io/managed-by: fleetdeck
middleware.io/app: {{ .Group.app }}
middleware.io/component: {{ .Group.component }}
middleware.io/group: {{ .Group.name }}
{{- end }}

{{- define "middleware.selectorLabels" -}}
app.kubernetes.io/name: {{ .Plugin.type }}
middleware.io/group: {{ .Group.name }}
{{- end }}
`;

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Group.name }}-config
  labels:
    {{- include "middleware.labels" . | nindent 4 }}
data:
  {{ .Plugin.configFile }}: |
    {{- range $key, $value := .Values.config }}
    {{ $key }} {{ $value }}
    {{- end }}
`;

const PVC = `{{- if .Values.storage.enabled }}
{{- range .Instances }}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ .name }}-data
  labels:
    {{- include "middleware.labels" $ | nindent 4 }}
    middleware.io/instance: {{ .name }}
spec:
  accessModes: ["ReadWriteOnce"]
  {{- with $.Values.storage.storageClass }}
  storageClassName: {{ . }}
  {{- end }}
  resources:
    requests:
      storage: {{ $.Values.storage.size }}
{{- end }}
{{- end }}
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Group.name }}
  labels:
    {{- include "middleware.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type | default "ClusterIP" }}
  selector:
    {{- include "middleware.selectorLabels" . | nindent 4 }}
  ports:
    - name: {{ .Plugin.type }}
      port: {{ .Values.service.port | default .Values.port }}
      targetPort: {{ .Values.port }}
    - name: agent-status
      port: 50051
    - name: agent-control
      port: 50052
    - name: metrics
      port: 9090
`;

// Recreate: each instance's pod owns a ReadWriteOnce volume, so an instance's old and new pods never overlap. The
// group's maxSurge/maxUnavailable act across instances: fleetdeck replaces at most maxUnavailable at once, and for
// maxSurge it first starts a stand-in instance of the new revision (core/apps/rollout.ts).
const DEPLOYMENT = `{{- range .Instances }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  labels:
    {{- include "middleware.labels" $ | nindent 4 }}
    middleware.io/instance: {{ .name }}
  annotations:
    middleware.io/initial-role: {{ .role }}
spec:
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels:
      {{- include "middleware.selectorLabels" $ | nindent 6 }}
      middleware.io/instance: {{ .name }}
  template:
    metadata:
      labels:
        {{- include "middleware.labels" $ | nindent 8 }}
        middleware.io/instance: {{ .name }}
    spec:
      containers:
        - name: {{ $.Plugin.type }}
          image: "{{ $.Values.image }}:{{ $.Group.version }}"
          args: [{{ $.Plugin.configPath | quote }}]
          ports:
            - name: {{ $.Plugin.type }}
              containerPort: {{ $.Values.port }}
          {{- with $.Values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: config
              mountPath: {{ $.Values.configDir }}
            - name: data
              mountPath: /data
        - name: agent-status
          image: {{ $.Values.agent.image }}
          args: ["status", "--listen=:50051", "--metrics=:9090"]
          ports:
            - name: agent-status
              containerPort: 50051
            - name: metrics
              containerPort: 9090
        - name: agent-control
          image: {{ $.Values.agent.image }}
          args: ["control", "--listen=:50052", "--config={{ $.Plugin.configPath }}"]
          env:
            - name: MIDDLEWARE_INSTANCE
              value: {{ .name }}
            - name: MIDDLEWARE_GROUP
              value: {{ $.Group.name }}
            - name: MIDDLEWARE_RESTART_KEYS
              value: {{ $.Values.restartKeys | toJson | quote }}
          ports:
            - name: agent-control
              containerPort: 50052
          volumeMounts:
            - name: config
              mountPath: {{ $.Values.configDir }}
      volumes:
        - name: config
          configMap:
            name: {{ $.Group.name }}-config
        - name: data
          {{- if $.Values.storage.enabled }}
          persistentVolumeClaim:
            claimName: {{ .name }}-data
          {{- else }}
          emptyDir: {}
          {{- end }}
{{- end }}
`;

const PLUGIN_YAML = `type: redis
version: 1.0.0
configFile: redis.conf
configPath: /etc/redis/redis.conf
`;

const VALUES = `image: redis
port: 6379
configDir: /etc/redis
config:
  appendonly: "yes"
  maxmemory-policy: noeviction
agent:
  image: middleware/agent:1.0.0
# Keys Redis reads only at start-up: the control agent answers requiresRestart when a reload changes one.
restartKeys: [port, bind, daemonize, databases, unixsocket, supervised, io-threads, cluster-enabled, tls-port]
storage:
  enabled: true
  size: 1Gi
service:
  type: ClusterIP
`;

export const REDIS_PLUGIN_DATA: Readonly<Record<string, string>> = {
  'plugin.yaml': PLUGIN_YAML,
  'values.yaml': VALUES,
  '_helpers.tpl': HELPERS,
  'configmap.yaml': CONFIGMAP,
  'pvc.yaml': PVC,
  'service.yaml': SERVICE,
  'deployment.yaml': DEPLOYMENT,
};

export function redisPluginConfigMap(namespace: string, data: Readonly<Record<string, string>> = REDIS_PLUGIN_DATA): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'middleware-plugin-redis', namespace, labels: { 'middleware.io/plugin': 'redis', 'middleware.io/plugin-version': '1.0.0' } },
    data: { ...data },
  };
}
