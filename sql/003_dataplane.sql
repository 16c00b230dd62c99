-- Primus-Lens dataplane installer (seed 000): cluster configurations, release history, install tasks and
-- their stages, and leases for singleton loops.

CREATE TABLE dataplane_clusters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$'),
  source text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'primus-safe')),
  dataplane_status text NOT NULL DEFAULT 'pending'
    CHECK (dataplane_status IN ('pending', 'deploying', 'deployed', 'failed')),
  -- NULL until the storage config sync (or an operator) decides it.
  storage_mode text CHECK (storage_mode IN ('external', 'lens-managed')),
  -- Non-secret storage settings (hosts, ports, users); secret values are in storage_secrets_enc.
  storage_config jsonb NOT NULL DEFAULT '{}'::jsonb,
  storage_secrets_enc text,
  managed_storage_config jsonb NOT NULL DEFAULT '{}'::jsonb,
  namespace text NOT NULL DEFAULT 'primus-lens',
  helm_values jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Connection: a kubeconfig context reference, or a server URL with credentials encrypted at rest.
  kube_context text,
  kube_server text,
  kube_ca_data text,
  kube_credentials_enc text,
  storage_synced_at timestamptz,
  storage_sync_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

CREATE TABLE dataplane_release_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cluster_id bigint NOT NULL REFERENCES dataplane_clusters (id),
  cluster_name text NOT NULL,
  action text NOT NULL DEFAULT 'deploy' CHECK (action IN ('deploy', 'retry')),
  storage_mode text NOT NULL CHECK (storage_mode IN ('external', 'lens-managed')),
  values_snapshot jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  triggered_by text NOT NULL,
  error_message text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX dataplane_release_history_cluster_idx ON dataplane_release_history (cluster_id, id DESC);

CREATE TABLE dataplane_install_tasks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cluster_id bigint NOT NULL REFERENCES dataplane_clusters (id),
  cluster_name text NOT NULL,
  history_id bigint NOT NULL REFERENCES dataplane_release_history (id),
  storage_mode text NOT NULL CHECK (storage_mode IN ('external', 'lens-managed')),
  runner text NOT NULL DEFAULT 'process' CHECK (runner IN ('process', 'job')),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  current_stage text,
  stages_completed text[] NOT NULL DEFAULT '{}',
  error_message text,
  retry_count integer NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
  max_retries integer NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
  job_name text,
  worker_id text,
  heartbeat_at timestamptz,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claims integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

-- At most one active install per cluster: a second deploy is refused while one is pending or running.
CREATE UNIQUE INDEX dataplane_one_active_task_per_cluster ON dataplane_install_tasks (cluster_id)
  WHERE status IN ('pending', 'running');
CREATE INDEX dataplane_tasks_pending_idx ON dataplane_install_tasks (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX dataplane_tasks_running_idx ON dataplane_install_tasks (heartbeat_at) WHERE status = 'running';
CREATE INDEX dataplane_tasks_cluster_idx ON dataplane_install_tasks (cluster_id, id DESC);

CREATE TABLE dataplane_task_stages (
  task_id bigint NOT NULL REFERENCES dataplane_install_tasks (id) ON DELETE CASCADE,
  position integer NOT NULL,
  name text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'skipped', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  detail text,
  error_message text,
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (task_id, position)
);

-- Singleton loops (cluster sync, storage sync) hold a lease row instead of a session advisory lock, so they
-- work the same through a connection pool, PGlite and the embedded owner.
CREATE TABLE dataplane_leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
