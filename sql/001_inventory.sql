-- The cluster inventory: the single source of truth (seeds 001/002), and the append-only audit log.

CREATE TABLE clusters (
  name varchar(63) PRIMARY KEY
    CONSTRAINT clusters_name_dns1123 CHECK (name ~ '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'),
  provider varchar(10) NOT NULL CONSTRAINT clusters_provider_known CHECK (provider IN ('k3d', 'kind')),
  subnet cidr,
  node_port integer NOT NULL DEFAULT 30080 CONSTRAINT clusters_node_port_range CHECK (node_port BETWEEN 1 AND 65535),
  pf_port integer NOT NULL CONSTRAINT clusters_pf_port_range CHECK (pf_port BETWEEN 1 AND 65535),
  http_port integer NOT NULL CONSTRAINT clusters_http_port_range CHECK (http_port BETWEEN 1 AND 65535),
  https_port integer NOT NULL CONSTRAINT clusters_https_port_range CHECK (https_port BETWEEN 1 AND 65535),
  register_portainer boolean NOT NULL DEFAULT true,
  haproxy_route boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT clusters_host_ports_distinct CHECK (pf_port <> http_port AND pf_port <> https_port AND http_port <> https_port),
  -- k3d clusters each get their own Docker network; their subnets may never overlap.
  CONSTRAINT clusters_k3d_subnets_disjoint EXCLUDE USING gist (subnet inet_ops WITH &&)
    WHERE (provider = 'k3d' AND subnet IS NOT NULL)
);

CREATE INDEX clusters_provider_idx ON clusters (provider);
CREATE INDEX clusters_created_at_idx ON clusters (created_at);

-- Host ports are unique across the whole fleet whichever column uses them: one row per used port.
CREATE TABLE cluster_host_ports (
  port integer PRIMARY KEY,
  cluster_name varchar(63) NOT NULL REFERENCES clusters (name) ON DELETE CASCADE ON UPDATE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('pf', 'http', 'https'))
);
CREATE INDEX cluster_host_ports_cluster_idx ON cluster_host_ports (cluster_name);

CREATE FUNCTION clusters_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER clusters_updated_at BEFORE UPDATE ON clusters
  FOR EACH ROW EXECUTE FUNCTION clusters_touch_updated_at();

CREATE FUNCTION clusters_claim_host_ports() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM cluster_host_ports WHERE cluster_name = NEW.name;
  END IF;
  INSERT INTO cluster_host_ports (port, cluster_name, purpose)
    VALUES (NEW.pf_port, NEW.name, 'pf'), (NEW.http_port, NEW.name, 'http'), (NEW.https_port, NEW.name, 'https');
  RETURN NEW;
END $$;

CREATE TRIGGER clusters_host_ports AFTER INSERT OR UPDATE OF pf_port, http_port, https_port ON clusters
  FOR EACH ROW EXECUTE FUNCTION clusters_claim_host_ports();

-- Allocation runs inside the database under a transaction-scoped advisory lock: the seed's
-- read-max-then-insert done atomically. Explicit values are kept; missing ports and a missing k3d
-- subnet are allocated from the given ranges. The constraints above remain the final word.
CREATE FUNCTION fleet_add_cluster(
  p_name text, p_provider text, p_subnet cidr, p_node_port integer,
  p_pf_port integer, p_http_port integer, p_https_port integer,
  p_register_portainer boolean, p_haproxy_route boolean,
  p_port_min integer, p_port_max integer, p_subnet_pool cidr, p_subnet_prefix integer
) RETURNS SETOF clusters LANGUAGE plpgsql AS $$
DECLARE
  wanted integer[] := ARRAY[p_pf_port, p_http_port, p_https_port];
  next_port integer;
  i integer;
  block_size bigint;
  block_count bigint;
  candidate cidr;
  last_subnet cidr;
  subnet_value cidr := p_subnet;
BEGIN
  PERFORM pg_advisory_xact_lock(7201001);

  FOR i IN 1..3 LOOP
    IF wanted[i] IS NULL THEN
      SELECT coalesce(max(port) + 1, p_port_min) INTO next_port
        FROM cluster_host_ports WHERE port BETWEEN p_port_min AND p_port_max;
      WHILE next_port <= p_port_max AND next_port = ANY (wanted) LOOP
        next_port := next_port + 1;
      END LOOP;
      IF next_port > p_port_max THEN
        -- The top of the range is used: fall back to the lowest gap.
        SELECT min(p) INTO next_port FROM generate_series(p_port_min, p_port_max) AS p
          WHERE NOT EXISTS (SELECT 1 FROM cluster_host_ports h WHERE h.port = p)
            AND p IS DISTINCT FROM wanted[1] AND p IS DISTINCT FROM wanted[2] AND p IS DISTINCT FROM wanted[3];
      END IF;
      IF next_port IS NULL THEN
        RAISE EXCEPTION 'no free host port in %-%', p_port_min, p_port_max USING ERRCODE = 'FDX01';
      END IF;
      wanted[i] := next_port;
    END IF;
  END LOOP;

  IF p_provider = 'k3d' AND subnet_value IS NULL THEN
    block_size := 2 ^ (32 - p_subnet_prefix);
    block_count := 2 ^ (p_subnet_prefix - masklen(p_subnet_pool));
    SELECT max(subnet) INTO last_subnet FROM clusters WHERE provider = 'k3d' AND subnet << p_subnet_pool;
    IF last_subnet IS NULL THEN
      candidate := set_masklen(network(p_subnet_pool), p_subnet_prefix)::cidr;
    ELSE
      candidate := set_masklen(network(set_masklen(last_subnet, p_subnet_prefix)) + block_size, p_subnet_prefix)::cidr;
    END IF;
    IF NOT (candidate << p_subnet_pool) OR EXISTS (
        SELECT 1 FROM clusters WHERE provider = 'k3d' AND subnet && candidate) THEN
      SELECT set_masklen(network(p_subnet_pool) + b * block_size, p_subnet_prefix)::cidr INTO candidate
        FROM generate_series(0::bigint, block_count - 1) AS b
        WHERE NOT EXISTS (SELECT 1 FROM clusters c WHERE c.provider = 'k3d'
          AND c.subnet && set_masklen(network(p_subnet_pool) + b * block_size, p_subnet_prefix)::cidr)
        ORDER BY b LIMIT 1;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'no free /% subnet in %', p_subnet_prefix, p_subnet_pool USING ERRCODE = 'FDX02';
      END IF;
    END IF;
    subnet_value := candidate;
  END IF;

  RETURN QUERY INSERT INTO clusters (name, provider, subnet, node_port, pf_port, http_port, https_port,
      register_portainer, haproxy_route)
    VALUES (p_name, p_provider, subnet_value, coalesce(p_node_port, 30080), wanted[1], wanted[2], wanted[3],
      coalesce(p_register_portainer, true), coalesce(p_haproxy_route, true))
    RETURNING *;
END $$;

-- Who did what, to which target, with what result. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  host text NOT NULL,
  action text NOT NULL,
  target text,
  result text NOT NULL CHECK (result IN ('ok', 'failed', 'refused')),
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'FDX03';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
